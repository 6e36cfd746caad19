package io.flatnesslab.web;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;
import tools.jackson.databind.json.JsonMapper;

/**
 * Limit on JSON request bodies ({@code flatnesslab.web.max-json-size}): a larger body gets 413
 * before any of it is parsed. A body sent without Content-Length (chunked) is read up to the
 * limit, and rejected as soon as it passes it.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 20)
class JsonSizeFilter extends OncePerRequestFilter {

    private final WebProperties properties;

    private final JsonMapper json;

    JsonSizeFilter(WebProperties properties, JsonMapper json) {
        this.properties = properties;
        this.json = json;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        String contentType = request.getContentType();
        return contentType == null || !contentType.toLowerCase().contains("json");
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        long limit = properties.maxJsonSize().toBytes();
        long declared = request.getContentLengthLong();
        if (declared > limit) {
            reject(request, response, limit);
            return;
        }
        if (declared >= 0) {
            chain.doFilter(request, response);
            return;
        }

        byte[] body = request.getInputStream().readNBytes((int) Math.min(Integer.MAX_VALUE - 8, limit + 1));
        if (body.length > limit) {
            reject(request, response, limit);
            return;
        }
        chain.doFilter(new CachedBodyRequest(request, body), response);
    }

    private void reject(HttpServletRequest request, HttpServletResponse response, long limit) throws IOException {
        // The unread body is discarded by closing the connection, not by reading it.
        response.setHeader("Connection", "close");
        Problems.write(response, request, json, HttpStatus.CONTENT_TOO_LARGE, "Request body too large",
                "JSON request bodies may be at most " + limit + " bytes (flatnesslab.web.max-json-size); an experiment "
                        + "spec is usually under 2 KB, so check what is being sent");
    }

    /** Request whose body was read into memory by this filter. */
    private static final class CachedBodyRequest extends HttpServletRequestWrapper {

        private final byte[] body;

        CachedBodyRequest(HttpServletRequest request, byte[] body) {
            super(request);
            this.body = body;
        }

        @Override
        public int getContentLength() {
            return body.length;
        }

        @Override
        public long getContentLengthLong() {
            return body.length;
        }

        @Override
        public ServletInputStream getInputStream() {
            InputStream in = new ByteArrayInputStream(body);
            return new ServletInputStream() {
                @Override
                public int read() throws IOException {
                    return in.read();
                }

                @Override
                public int read(byte[] buffer, int offset, int length) throws IOException {
                    return in.read(buffer, offset, length);
                }

                @Override
                public boolean isFinished() {
                    return body.length == 0 || available() == 0;
                }

                @Override
                public boolean isReady() {
                    return true;
                }

                @Override
                public void setReadListener(ReadListener listener) {
                    throw new UnsupportedOperationException("asynchronous reads of a cached body");
                }

                @Override
                public int available() {
                    try {
                        return in.available();
                    } catch (IOException e) {
                        return 0;
                    }
                }
            };
        }
    }
}
