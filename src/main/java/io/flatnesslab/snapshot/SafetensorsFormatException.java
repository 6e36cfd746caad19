package io.flatnesslab.snapshot;

import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponseException;

/** Raised when an uploaded file is not a valid safetensors MLP; 400 naming the problem. */
public class SafetensorsFormatException extends ErrorResponseException {

    public SafetensorsFormatException(String problem) {
        super(HttpStatus.BAD_REQUEST, problem(problem), null);
    }

    private static ProblemDetail problem(String detail) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, detail);
        problem.setTitle("Invalid request");
        problem.setProperty("errors", java.util.List.of(java.util.Map.of("field", "file", "message", detail)));
        return problem;
    }
}
