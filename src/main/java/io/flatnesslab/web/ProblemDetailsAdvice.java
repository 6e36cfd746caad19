package io.flatnesslab.web;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

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
            errors.add(Map.of("field", path(unknown), "message", "unknown field '" + unknown.getPropertyName()
                    + "'; known fields: " + unknown.getKnownPropertyIds()));
        } else if (cause instanceof InvalidFormatException invalid) {
            String accepted = invalid.getTargetType() != null && invalid.getTargetType().isEnum()
                    ? "; accepted values: " + List.of(invalid.getTargetType().getEnumConstants())
                    : "";
            errors.add(Map.of("field", path(invalid), "message", "invalid value " + invalid.getValue() + " for type "
                    + simpleName(invalid.getTargetType()) + accepted));
        } else if (cause instanceof MismatchedInputException mismatched) {
            errors.add(Map.of("field", path(mismatched), "message", "expected a value of type "
                    + simpleName(mismatched.getTargetType())));
        } else if (cause instanceof JacksonException json) {
            errors.add(Map.of("field", path(json), "message", "malformed JSON" + location(json) + ": " + firstLine(json)));
        } else {
            errors.add(Map.of("field", "body", "message", "is missing or not JSON; send a JSON object, e.g. {} for the "
                    + "classic experiment"));
        }
        return problem(HttpStatus.BAD_REQUEST, "Invalid request", errors, headers, request);
    }

    @Override
    protected ResponseEntity<Object> handleHttpMediaTypeNotSupported(HttpMediaTypeNotSupportedException ex,
            HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        String detail = "Content-Type " + (ex.getContentType() == null ? "(none)" : "'" + ex.getContentType() + "'")
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
        String expected = simpleName(ex.getRequiredType());
        String accepted = ex.getRequiredType() != null && ex.getRequiredType().isEnum()
                ? "; accepted values: " + List.of(ex.getRequiredType().getEnumConstants())
                : "";
        List<Map<String, String>> errors = List.of(Map.of("field", ex.getName(),
                "message", "invalid value '" + ex.getValue() + "', expected " + expected + accepted));
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

    private static String path(JacksonException exception) {
        StringBuilder path = new StringBuilder();
        for (JacksonException.Reference reference : exception.getPath()) {
            if (reference.getPropertyName() != null) {
                if (!path.isEmpty()) {
                    path.append('.');
                }
                path.append(reference.getPropertyName());
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

    private static String firstLine(JacksonException exception) {
        String message = String.valueOf(exception.getOriginalMessage());
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }

    private static String simpleName(Class<?> type) {
        return type == null ? "unknown" : type.getSimpleName();
    }
}
