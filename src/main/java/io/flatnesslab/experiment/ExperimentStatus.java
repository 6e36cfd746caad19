package io.flatnesslab.experiment;

/** Lifecycle state of an experiment. */
public enum ExperimentStatus {

    /** Stored and waiting for a free executor thread; survives restarts. */
    QUEUED,

    /** Training or measuring now. */
    RUNNING,

    /** All runs trained and measured; results are complete. */
    SUCCEEDED,

    /** Stopped by an error or by the end of the process that ran it; see the failure reason. */
    FAILED,

    /** Stopped on request; runs finished before the request keep their results. */
    CANCELLED;

    /** Returns whether the experiment can no longer change. */
    public boolean isFinal() {
        return this == SUCCEEDED || this == FAILED || this == CANCELLED;
    }
}
