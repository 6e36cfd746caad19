package io.flatnesslab.job;

/** Thrown at a unit boundary when a shutdown requests the job to stop there. */
final class JobSuspendedException extends RuntimeException {

    JobSuspendedException() {
        super("suspended by shutdown", null, false, false);
    }
}
