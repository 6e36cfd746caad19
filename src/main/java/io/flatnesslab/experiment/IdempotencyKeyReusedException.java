package io.flatnesslab.experiment;

import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponseException;

/** Raised when an Idempotency-Key comes back with a different spec; 422. */
public class IdempotencyKeyReusedException extends ErrorResponseException {

    IdempotencyKeyReusedException(String key, long experimentId) {
        super(HttpStatus.UNPROCESSABLE_CONTENT, problem(key, experimentId), null);
    }

    private static ProblemDetail problem(String key, long experimentId) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.UNPROCESSABLE_CONTENT, "Idempotency-Key '" + key
                + "' was first sent with a different spec and created experiment " + experimentId
                + "; use a new key for a new spec");
        problem.setTitle("Idempotency-Key reused");
        problem.setProperty("experimentId", experimentId);
        return problem;
    }
}
