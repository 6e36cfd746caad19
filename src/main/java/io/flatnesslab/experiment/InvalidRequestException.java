package io.flatnesslab.experiment;

import java.util.List;
import java.util.stream.Collectors;

import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponseException;

/**
 * Raised when a request is well-formed but its values cannot be used, for example a spec that
 * describes an experiment that cannot run; 400 with one entry per invalid field.
 */
public class InvalidRequestException extends ErrorResponseException {

    public InvalidRequestException(String title, List<FieldViolation> violations) {
        super(HttpStatus.BAD_REQUEST, problem(title, violations), null);
    }

    private static ProblemDetail problem(String title, List<FieldViolation> violations) {
        String detail = violations.stream()
                .map(violation -> violation.field() + ": " + violation.message())
                .collect(Collectors.joining("; "));
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, detail);
        problem.setTitle(title);
        problem.setProperty("errors", violations);
        return problem;
    }
}
