package io.flatnesslab.experiment;

import java.util.List;

import io.flatnesslab.training.EpochStats;
import io.swagger.v3.oas.annotations.media.Schema;

/**
 * Results of an experiment: per group and run the training summary, the baseline loss and every
 * measured loss increase, with means and population standard deviations.
 *
 * @param complete whether every run of the spec is included (false for FAILED or CANCELLED)
 */
@Schema(description = "Per group and run: training summary, baseline loss and loss increases")
public record ExperimentResults(
        long experimentId,
        ExperimentStatus status,
        boolean complete,
        TrainingData trainingData,
        List<Double> epsilons,
        int directions,
        List<GroupResults> groups) {

    /**
     * The training subset, so every number can be recomputed outside Flatness Lab.
     *
     * @param indices dataset indices of the subset's examples
     * @param randomLabels label of each subset example for RANDOM groups, in the order of
     *     {@code indices}, or null when no group uses random labels
     */
    public record TrainingData(String dataset, int trainSize, List<Integer> indices, List<Integer> randomLabels) {
    }

    /**
     * One group's runs and the statistics over them.
     *
     * @param lossIncrease per ε: mean and population std over runs of the per-run mean increase
     */
    public record GroupResults(String key, List<Integer> hiddenLayers, LabelMode labels, long parameterCount,
            List<OverRuns> lossIncrease, List<RunResults> runs) {
    }

    /**
     * Mean and population std (ddof 0) over runs of the per-run mean loss increase at one ε;
     * mean and std are null for a group without finished runs.
     */
    public record OverRuns(double epsilon, Double mean, Double std, int runs) {
    }

    /**
     * One training run.
     *
     * @param finalTrainAccuracy on-the-fly training accuracy of the last epoch, in [0, 1]
     * @param baselineLoss L(θ): mean cross-entropy over the training subset, inference mode
     * @param lossIncrease per ε: L(θ + ε·d) − L(θ) for each direction, with mean and
     *     population std over directions
     * @param epochs per-epoch on-the-fly mean loss and accuracy
     */
    public record RunResults(long runId, int runIndex, int epochsTrained, double finalTrainAccuracy,
            boolean reachedFullTrainAccuracy, double baselineLoss, double trainingSeconds, double measuringSeconds,
            List<OverDirections> lossIncrease, List<EpochStats> epochs, Snapshot snapshot) {
    }

    /** Loss increases of one run at one ε, one per direction, with their mean and population std. */
    public record OverDirections(double epsilon, List<Double> directions, double mean, double std) {
    }

    /** Download link and checksum of the run's trained parameters. */
    public record Snapshot(String url, String format, long sizeBytes, String sha256) {
    }
}
