package io.flatnesslab.training;

import java.util.List;

/**
 * Result of one training run.
 *
 * @param epochsTrained number of epochs run
 * @param finalTrainAccuracy on-the-fly accuracy of the last epoch
 * @param reachedFullTrainAccuracy whether an epoch reached 100 % on-the-fly accuracy
 * @param history one entry per epoch
 */
public record TrainingOutcome(int epochsTrained, double finalTrainAccuracy, boolean reachedFullTrainAccuracy,
        List<EpochStats> history) {
}
