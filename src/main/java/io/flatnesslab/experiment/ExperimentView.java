package io.flatnesslab.experiment;

import java.time.Instant;

import io.swagger.v3.oas.annotations.media.Schema;

/**
 * Status of an experiment as the API returns it.
 *
 * @param spec the resolved spec: every default filled in
 * @param failureReason why a FAILED experiment stopped, or null
 */
@Schema(description = "An experiment's status, progress and resolved spec")
public record ExperimentView(
        long id,
        ExperimentStatus status,
        Progress progress,
        Instant createdAt,
        Instant startedAt,
        Instant finishedAt,
        String failureReason,
        ExperimentSpec spec) {

    /**
     * How far an experiment has come. A unit of work is one training epoch, or one loss or
     * gradient evaluation.
     *
     * @param phase QUEUED, SUSPENDED (stopped by a shutdown or a crash, continues from its saved
     *     units), PREPARING_DATA, LOADING_MODEL, TRAINING, MEASURING, MEASURING_ and a further
     *     measure (for example MEASURING_HESSIAN or MEASURING_INTERPOLATION), MEASURING_RESCALED_
     *     and a measure on the rescaled network, or the final status
     * @param currentGroup key of the group being trained or measured, or null
     * @param currentRun 0-based run index inside that group, or null
     * @param currentEpoch last finished epoch of the current run, or null
     * @param currentDirection 0-based direction being measured while MEASURING, or null
     * @param currentEpsilonIndex 0-based index into flatness.epsilons of the last ε evaluated
     *     along that direction, or null
     * @param unitsDone units finished, counting the epochs an early stop skipped
     * @param unitsTotal all units when every run trains for maxEpochs; 0 until the job starts
     * @param estimatedSecondsRemaining estimate from the rate of the work done so far, weighted
     *     by the size of each group's network; null while unknown
     * @param recoveries how often the experiment was resumed after the process running it died
     */
    @Schema(description = "Runs and units of work finished, what the job is doing now, and the estimated time left")
    public record Progress(int runsDone, int runsTotal, String phase, String currentGroup, Integer currentRun,
            Integer currentEpoch, Integer currentDirection, Integer currentEpsilonIndex, long unitsDone, long unitsTotal,
            Long estimatedSecondsRemaining, boolean cancelRequested, int recoveries) {
    }
}
