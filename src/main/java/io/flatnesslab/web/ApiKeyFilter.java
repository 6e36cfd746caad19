package io.flatnesslab.web;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;
import tools.jackson.databind.json.JsonMapper;

/**
 * Check of the optional API key: with {@code flatnesslab.web.api-key} set, requests under
 * /api/ that change data, and reads too with {@code flatnesslab.web.protect-reads}, need the
 * key in {@code X-API-Key}, or get 401. Health, info, metrics and the API documentation stay
 * open. The comparison takes the same time whatever the key, so it reveals no prefix.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 10)
class ApiKeyFilter extends OncePerRequestFilter {

    static final String HEADER = "X-API-Key";

    private static final Set<String> READ_METHODS = Set.of("GET", "HEAD", "OPTIONS");

    private static final Logger log = LoggerFactory.getLogger(ApiKeyFilter.class);

    private final WebProperties properties;

    private final JsonMapper json;

    private final AtomicLong rejected = new AtomicLong();

    ApiKeyFilter(WebProperties properties, JsonMapper json) {
        this.properties = properties;
        this.json = json;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        boolean read = READ_METHODS.contains(request.getMethod());
        return !properties.apiKeyEnabled() || !request.getRequestURI().startsWith("/api/")
                || (read && !properties.protectReads());
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String provided = request.getHeader(HEADER);
        if (provided != null && MessageDigest.isEqual(provided.getBytes(StandardCharsets.UTF_8),
                properties.apiKey().getBytes(StandardCharsets.UTF_8))) {
            chain.doFilter(request, response);
            return;
        }

        // Counted and logged sparsely: a misconfigured client would otherwise flood the log.
        long count = rejected.incrementAndGet();
        if (Long.bitCount(count) == 1) {
            log.warn("Rejected {} {} without a valid {} header ({} rejections so far)", request.getMethod(),
                    request.getRequestURI(), HEADER, count);
        }
        response.setHeader(HttpHeaders.WWW_AUTHENTICATE, "ApiKey header=\"" + HEADER + "\"");
        String detail = provided == null
                ? "this request needs the API key in the " + HEADER + " header"
                : "the " + HEADER + " header does not match the configured API key";
        Problems.write(response, request, json, HttpStatus.UNAUTHORIZED, "API key required", detail
                + "; ask the operator of this service for the key (property flatnesslab.web.api-key)");
    }
}
