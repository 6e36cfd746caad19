package io.flatnesslab.experiment;

/** Published after a RUNNING experiment was flagged for cancellation. */
public record ExperimentCancellationRequested(long experimentId) {
}
