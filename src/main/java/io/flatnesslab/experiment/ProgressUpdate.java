package io.flatnesslab.experiment;

/**
 * Progress report of a running job. A unit of work is one training epoch, or one loss or
 * gradient evaluation.
 *
 * @param phase PREPARING_DATA, LOADING_MODEL, TRAINING, MEASURING (the random directions), or
 *     MEASURING_ followed by a {@link MeasureKind} name for a further measure, and
 *     MEASURING_RESCALED_ followed by one on the rescaled network
 * @param group key of the group being worked on, or null
 * @param run 0-based run index inside that group, or null
 * @param epoch last finished epoch of the current run while TRAINING, or null
 * @param direction 0-based direction being measured while MEASURING, or null
 * @param epsilonIndex 0-based index of the last ε evaluated along that direction, or null
 * @param unitsDone units finished, including those of runs finished before a restart and the
 *     epochs an early stop skipped
 * @param unitsTotal all units of the experiment when every run trains for maxEpochs
 * @param secondsRemaining estimate of the time left, or null before the job has a measured rate
 */
public record ProgressUpdate(String phase, String group, Integer run, Integer epoch, Integer direction,
        Integer epsilonIndex, long unitsDone, long unitsTotal, Long secondsRemaining) {
}
