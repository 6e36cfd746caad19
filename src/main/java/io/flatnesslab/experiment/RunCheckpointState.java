package io.flatnesslab.experiment;

import io.flatnesslab.flatness.DirectionIncreases;
import io.flatnesslab.training.TrainingStart;

/**
 * Saved state of an unfinished run, from which a resumed job continues.
 *
 * @param stage TRAINING: the parameters after {@code training.epochsDone()} epochs; TRAINED:
 *     the final trained parameters, possibly with some directions measured
 * @param training the epochs trained so far
 * @param trainingSeconds training time spent so far
 * @param snapshotId the saved parameters
 * @param measured increases of the directions measured so far, by direction, null where not
 *     measured; all null in stage TRAINING
 * @param baselineLoss L(θ) as the first measurement computed it, or null before it; a resumed
 *     measurement computes it again and must get the same value
 */
public record RunCheckpointState(Stage stage, TrainingStart training, double trainingSeconds, long snapshotId,
        DirectionIncreases[] measured, Double baselineLoss) {

    /** How far a run had come when it was saved. */
    public enum Stage {
        TRAINING, TRAINED
    }
}
