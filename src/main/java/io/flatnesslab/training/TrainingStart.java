package io.flatnesslab.training;

import java.util.List;

/**
 * Point from which training continues: the epochs already trained, as restored from a saved
 * checkpoint, or none for a fresh network.
 *
 * @param epochsDone epochs finished before
 * @param history one entry per finished epoch
 * @param reachedFullTrainAccuracy whether the last finished epoch reached 100 % accuracy
 */
public record TrainingStart(int epochsDone, List<EpochStats> history, boolean reachedFullTrainAccuracy) {

    /** Start of a fresh network. */
    public static final TrainingStart FRESH = new TrainingStart(0, List.of(), false);

    public TrainingStart {
        history = List.copyOf(history);
        if (epochsDone != history.size()) {
            throw new IllegalArgumentException("epochsDone " + epochsDone + " differs from the history length "
                    + history.size());
        }
    }
}
