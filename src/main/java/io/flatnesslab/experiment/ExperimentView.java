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
     * How far an experiment has come.
     *
     * @param phase QUEUED, PREPARING_DATA, TRAINING, MEASURING, STORING, or the final status
     * @param currentGroup key of the group being trained or measured, or null
     * @param currentRun 0-based run index inside that group, or null
     * @param currentEpoch last finished epoch of the current run while TRAINING, or null
     */
    @Schema(description = "Runs finished out of all runs, and what the job is doing now")
    public record Progress(int runsDone, int runsTotal, String phase, String currentGroup, Integer currentRun,
            Integer currentEpoch, boolean cancelRequested) {
    }
}
