package io.flatnesslab.experiment;

import io.flatnesslab.flatness.FlatnessMeasurement;
import io.flatnesslab.training.TrainingOutcome;

/**
 * Everything a finished run reports to be stored.
 *
 * @param snapshotId id of the stored parameters in the snapshot store
 */
public record RunRecord(String groupKey, int runIndex, long parameterCount, TrainingOutcome training,
        FlatnessMeasurement measurement, double trainingSeconds, double measuringSeconds, Long snapshotId) {
}
