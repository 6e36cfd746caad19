package io.flatnesslab.experiment;

import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponseException;

/** Raised when a request does not fit the experiment's current status; 409. */
public class ExperimentStateException extends ErrorResponseException {

    public ExperimentStateException(long id, ExperimentStatus status, String detail) {
        super(HttpStatus.CONFLICT, problem(id, status, detail), null);
    }

    private static ProblemDetail problem(long id, ExperimentStatus status, String detail) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.CONFLICT, detail);
        problem.setTitle("Experiment is " + status);
        problem.setProperty("experimentId", id);
        problem.setProperty("experimentStatus", status);
        return problem;
    }
}
