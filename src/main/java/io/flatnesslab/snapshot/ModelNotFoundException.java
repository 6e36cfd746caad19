package io.flatnesslab.snapshot;

import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponseException;

/** Raised when an imported model id does not exist; 404. */
public class ModelNotFoundException extends ErrorResponseException {

    public ModelNotFoundException(long id) {
        super(HttpStatus.NOT_FOUND, problem(id), null);
    }

    private static ProblemDetail problem(long id) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.NOT_FOUND,
                "model " + id + " not found; GET /api/models lists the imported ones");
        problem.setTitle("Not found");
        return problem;
    }
}
