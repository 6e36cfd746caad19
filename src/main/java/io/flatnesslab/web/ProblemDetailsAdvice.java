package io.flatnesslab.web;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import jakarta.servlet.http.HttpServletRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.validation.FieldError;
import org.springframework.web.HttpMediaTypeNotSupportedException;
import org.springframework.web.bind.MethodArgumentNotValidException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.ServletWebRequest;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.method.annotation.HandlerMethodValidationException;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.multipart.MultipartException;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.exc.InvalidFormatException;
import tools.jackson.databind.exc.MismatchedInputException;
import tools.jackson.databind.exc.UnrecognizedPropertyException;

/**
 * Turns every error into an {@code application/problem+json} response (RFC 9457).
 *
 * <p>Client errors name the offending field in an {@code errors} list of {@code {field,
 * message}} objects, the same shape the modules' own validation exceptions use. Server errors
 * are logged with method and URI, and the client gets a generic message without internals.
 */
@RestControllerAdvice
class ProblemDetailsAdvice extends ResponseEntityExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ProblemDetailsAdvice.class);

    /** Maximum length of a value or field name from the request that a problem repeats. */
    private static final int MAX_ECHOED_CHARS = 64;

    /**
     * Parts of Jackson's parser messages that name its Java settings rather than the input:
     * where an unclosed value started, the feature that would accept the input, and the
     * constraint that limits it.
     */
    private static final List<Pattern> JACKSON_SETTINGS = List.of(
            Pattern.compile("\\s*\\([^()]*\\[Source: .*?\\]\\)"),
            Pattern.compile(": enable `[^`]*` to allow"),
            Pattern.compile(", from `[^`]*`"),
            Pattern.compile("\\s*\\(not recognized as one since [^)]*\\)"));

    @Override
    protected ResponseEntity<Object> handleMethodArgumentNotValid(MethodArgumentNotValidException ex,
            HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        List<Map<String, String>> errors = new ArrayList<>();
        for (FieldError error : ex.getBindingResult().getFieldErrors()) {
            errors.add(Map.of("field", error.getField(), "message", String.valueOf(error.getDefaultMessage())));
        }
        ex.getBindingResult().getGlobalErrors().forEach(error -> errors.add(
                Map.of("field", error.getObjectName(), "message", String.valueOf(error.getDefaultMessage()))));
        return problem(HttpStatus.BAD_REQUEST, "Invalid request", errors, headers, request);
    }

    @Override
    protected ResponseEntity<Object> handleHandlerMethodValidationException(HandlerMethodValidationException ex,
            HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        List<Map<String, String>> errors = new ArrayList<>();
        ex.getParameterValidationResults().forEach(result -> {
            String name = result.getMethodParameter().getParameterName();
            result.getResolvableErrors().forEach(error -> errors.add(
                    Map.of("field", String.valueOf(name), "message", String.valueOf(error.getDefaultMessage()))));
        });
        return problem(HttpStatus.BAD_REQUEST, "Invalid request", errors, headers, request);
    }

    @Override
    protected ResponseEntity<Object> handleHttpMessageNotReadable(HttpMessageNotReadableException ex,
            HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        Throwable cause = ex.getMostSpecificCause();
        List<Map<String, String>> errors = new ArrayList<>();

        if (cause instanceof UnrecognizedPropertyException unknown) {
            errors.add(Map.of("field", path(unknown), "message", "unknown field '" + abbreviate(unknown.getPropertyName())
                    + "'; known fields: " + unknown.getKnownPropertyIds()));
        } else if (cause instanceof InvalidFormatException invalid) {
            errors.add(Map.of("field", path(invalid), "message", "invalid value " + quote(invalid.getValue())
                    + "; expected " + jsonType(invalid.getTargetType())));
        } else if (cause instanceof MismatchedInputException mismatched && isWithoutContent(mismatched)) {
            errors.add(missingBody());
        } else if (cause instanceof MismatchedInputException mismatched && hasTrailingContent(mismatched)) {
            errors.add(Map.of("field", "body", "message", "unexpected content after the JSON object; send exactly one "
                    + "JSON object"));
        } else if (cause instanceof MismatchedInputException mismatched) {
            errors.add(Map.of("field", path(mismatched), "message", "expected " + jsonType(mismatched.getTargetType())));
        } else if (cause instanceof JacksonException json) {
            errors.add(Map.of("field", path(json), "message", "malformed JSON" + location(json) + ": " + describe(json)));
        } else {
            errors.add(missingBody());
        }
        return problem(HttpStatus.BAD_REQUEST, "Invalid request", errors, headers, request);
    }

    @Override
    protected ResponseEntity<Object> handleHttpMediaTypeNotSupported(HttpMediaTypeNotSupportedException ex,
            HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        // An unparseable header, such as an unknown charset, reaches here without a content type.
        String sent = ex.getContentType() != null ? ex.getContentType().toString() : request.getHeader(HttpHeaders.CONTENT_TYPE);
        String detail = "Content-Type " + (sent == null ? "(none)" : "'" + abbreviate(sent) + "'")
                + " is not supported; send Content-Type: " + MediaType.toString(ex.getSupportedMediaTypes());
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.UNSUPPORTED_MEDIA_TYPE, detail);
        problem.setTitle("Unsupported media type");
        return handleExceptionInternal(ex, problem, headers, HttpStatus.UNSUPPORTED_MEDIA_TYPE, request);
    }

    @ExceptionHandler(MultipartException.class)
    ResponseEntity<Object> handleMultipart(MultipartException ex, WebRequest request) {
        List<Map<String, String>> errors = List.of(Map.of("field", "file", "message",
                "malformed multipart request; send the file as a multipart/form-data part, e.g. curl -F file=@model.safetensors"));
        return problem(HttpStatus.BAD_REQUEST, "Invalid request", errors, new HttpHeaders(), request);
    }

    @ExceptionHandler(MethodArgumentTypeMismatchException.class)
    ResponseEntity<Object> handleTypeMismatch(MethodArgumentTypeMismatchException ex, WebRequest request) {
        // A repeated query parameter arrives as an array of its values.
        String value = ex.getValue() instanceof Object[] values
                ? String.join(",", Arrays.stream(values).map(String::valueOf).toList())
                : String.valueOf(ex.getValue());
        List<Map<String, String>> errors = List.of(Map.of("field", ex.getName(),
                "message", "invalid value " + quote(value) + "; expected " + jsonType(ex.getRequiredType())));
        return problem(HttpStatus.BAD_REQUEST, "Invalid request", errors, new HttpHeaders(), request);
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<Object> handleUnexpected(Exception ex, HttpServletRequest request) {
        log.error("Request {} {} failed", request.getMethod(), request.getRequestURI(), ex);
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.INTERNAL_SERVER_ERROR,
                "The server could not complete the request; the error is logged with this method and path.");
        problem.setTitle("Internal server error");
        return ResponseEntity.status(HttpStatus.INTERNAL_SERVER_ERROR).body(problem);
    }

    @Override
    protected ResponseEntity<Object> handleExceptionInternal(Exception ex, Object body, HttpHeaders headers,
            HttpStatusCode statusCode, WebRequest request) {
        if (statusCode.is5xxServerError() && request instanceof ServletWebRequest servlet) {
            log.error("Request {} {} failed", servlet.getRequest().getMethod(), servlet.getRequest().getRequestURI(), ex);
        }
        return super.handleExceptionInternal(ex, body, headers, statusCode, request);
    }

    private ResponseEntity<Object> problem(HttpStatus status, String title, List<Map<String, String>> errors,
            HttpHeaders headers, WebRequest request) {
        String detail = errors.stream()
                .map(error -> error.get("field") + ": " + error.get("message"))
                .reduce((left, right) -> left + "; " + right)
                .orElse(title);
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        problem.setTitle(title);
        problem.setProperty("errors", errors);
        return handleExceptionInternal(new IllegalArgumentException(detail), problem, headers, status, request);
    }

    private static Map<String, String> missingBody() {
        return Map.of("field", "body", "message", "is missing or not JSON; send a JSON object, e.g. {} for the classic "
                + "experiment");
    }

    // Jackson raises a body of only white space and a second value after the first as plain
    // MismatchedInputExceptions, so only their messages tell them apart.
    private static boolean isWithoutContent(MismatchedInputException exception) {
        return String.valueOf(exception.getOriginalMessage()).startsWith("No content to map");
    }

    private static boolean hasTrailingContent(MismatchedInputException exception) {
        return String.valueOf(exception.getOriginalMessage()).startsWith("Trailing token");
    }

    private static String path(JacksonException exception) {
        StringBuilder path = new StringBuilder();
        for (JacksonException.Reference reference : exception.getPath()) {
            if (reference.getPropertyName() != null) {
                if (!path.isEmpty()) {
                    path.append('.');
                }
                path.append(abbreviate(reference.getPropertyName()));
            } else if (reference.getIndex() >= 0) {
                path.append('[').append(reference.getIndex()).append(']');
            }
        }
        return path.isEmpty() ? "body" : path.toString();
    }

    private static String location(JacksonException exception) {
        if (exception.getLocation() == null || exception.getLocation().getLineNr() < 1) {
            return "";
        }
        return " at line " + exception.getLocation().getLineNr() + ", column " + exception.getLocation().getColumnNr();
    }

    /** Returns the first line of the parser's message without the Java settings it names. */
    private static String describe(JacksonException exception) {
        String message = String.valueOf(exception.getOriginalMessage());
        int newline = message.indexOf('\n');
        message = newline < 0 ? message : message.substring(0, newline);
        for (Pattern setting : JACKSON_SETTINGS) {
            message = setting.matcher(message).replaceAll("");
        }
        // Range errors name a Java primitive in backticks, as in "out of range of `int`"; keep the word.
        message = message.replaceAll("`([a-z]+)`", "$1");
        int javaName = message.indexOf('`');
        return javaName < 0 ? message : message.substring(0, javaName).strip();
    }

    /** Names the kind of value a Java type is read from, in JSON terms, for bodies and query parameters alike. */
    private static String jsonType(Class<?> type) {
        if (type == null) {
            return "another kind of JSON value";
        }
        if (type.isEnum()) {
            return "one of " + List.of(type.getEnumConstants());
        }
        if (type == Integer.class || type == int.class || type == Long.class || type == long.class
                || type == Short.class || type == short.class || type == BigInteger.class) {
            return "an integer";
        }
        if (Number.class.isAssignableFrom(type) || type == double.class || type == float.class) {
            return "a number";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        }
        if (CharSequence.class.isAssignableFrom(type)) {
            return "a string";
        }
        if (Collection.class.isAssignableFrom(type) || type.isArray()) {
            return "an array";
        }
        return "a JSON object";
    }

    private static String quote(Object value) {
        return value instanceof String text ? "'" + abbreviate(text) + "'" : abbreviate(String.valueOf(value));
    }

    /** Shortens a value taken from the request, so that a problem never repeats a huge input. */
    private static String abbreviate(String text) {
        return text.length() <= MAX_ECHOED_CHARS ? text : text.substring(0, MAX_ECHOED_CHARS) + "...";
    }
}
