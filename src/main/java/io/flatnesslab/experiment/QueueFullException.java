package io.flatnesslab.experiment;

import java.time.Duration;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponseException;

/** Raised when the queue contains the maximum number of experiments; 429 with Retry-After. */
public class QueueFullException extends ErrorResponseException {

    QueueFullException(long queued, int maxQueued, Duration retryAfter) {
        super(HttpStatus.TOO_MANY_REQUESTS, problem(queued, maxQueued, retryAfter), null);
        getHeaders().set(HttpHeaders.RETRY_AFTER, String.valueOf(retryAfter.toSeconds()));
    }

    private static ProblemDetail problem(long queued, int maxQueued, Duration retryAfter) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.TOO_MANY_REQUESTS, queued
                + " experiments are queued, the maximum is " + maxQueued + " (flatnesslab.experiments.max-queued); retry "
                + "after " + retryAfter.toSeconds() + " s, or cancel queued experiments you no longer need");
        problem.setTitle("Queue is full");
        problem.setProperty("queued", queued);
        problem.setProperty("maxQueued", maxQueued);
        problem.setProperty("retryAfterSeconds", retryAfter.toSeconds());
        return problem;
    }
}
