package io.flatnesslab.experiment;

/** Published after a new experiment is committed as QUEUED. */
public record ExperimentSubmitted(long experimentId) {
}
