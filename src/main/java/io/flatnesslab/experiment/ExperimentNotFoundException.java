package io.flatnesslab.experiment;

import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponseException;

/** Raised when an experiment, or a run inside one, does not exist; 404. */
public class ExperimentNotFoundException extends ErrorResponseException {

    public ExperimentNotFoundException(String detail) {
        super(HttpStatus.NOT_FOUND, problem(detail), null);
    }

    static ExperimentNotFoundException experiment(long id) {
        return new ExperimentNotFoundException("experiment " + id + " not found; GET /api/experiments lists the stored ones");
    }

    private static ProblemDetail problem(String detail) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.NOT_FOUND, detail);
        problem.setTitle("Not found");
        return problem;
    }
}
