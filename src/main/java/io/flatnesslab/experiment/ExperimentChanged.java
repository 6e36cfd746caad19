package io.flatnesslab.experiment;

/** Published in the transaction that changed an experiment's status or progress. */
record ExperimentChanged(long experimentId) {
}
