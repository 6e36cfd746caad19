package io.flatnesslab.experiment;

import java.util.List;

import io.flatnesslab.flatness.DirectionNormalization;
import io.flatnesslab.training.EpochStats;
import io.swagger.v3.oas.annotations.media.Schema;

/**
 * Results of an experiment: per group and run the training summary, the baseline loss and every
 * measured loss increase, with means and population standard deviations.
 *
 * @param complete whether every run of the spec is included (false for FAILED or CANCELLED)
 * @param normalization scaling of the random directions; every value but GLOBAL makes ε
 *     relative to the parameters
 */
@Schema(description = "Per group and run: training summary, baseline loss and loss increases")
public record ExperimentResults(
        long experimentId,
        ExperimentStatus status,
        boolean complete,
        TrainingData trainingData,
        List<Double> epsilons,
        int directions,
        DirectionNormalization normalization,
        List<GroupResults> groups) {

    /**
     * The training subset, so every number can be recomputed outside Flatness Lab.
     *
     * @param indices dataset indices of the subset's examples
     * @param testIndices dataset indices of the held-out test split, disjoint from {@code indices},
     *     or null without one
     * @param randomLabels label of each subset example for RANDOM groups, in the order of
     *     {@code indices}, or null when no group uses random labels
     */
    public record TrainingData(String dataset, int trainSize, List<Integer> indices, List<Integer> randomLabels,
            int testSize, List<Integer> testIndices) {
    }

    /**
     * One group's runs and the statistics over them.
     *
     * @param lossIncrease per ε: mean and population std over runs of the per-run mean increase
     * @param measureSummary every scalar measure of the trained networks (and the generalization)
     *     over runs
     * @param interpolations interpolations between consecutive runs, empty when not requested
     */
    public record GroupResults(String key, List<Integer> hiddenLayers, LabelMode labels, long parameterCount,
            List<OverRuns> lossIncrease, List<RunResults> runs, List<MeasureResults.ScalarSummary> measureSummary,
            List<MeasureResults.PairInterpolation> interpolations) {
    }

    /**
     * Statistics over runs of the per-run mean loss increase at one ε: mean, population std
     * (ddof 0), standard error (sample std / √runs) and whether the mean differs from zero at
     * 95 %. Null where a group has too few finished runs.
     *
     * @param impliedMeanCurvature 2·ΔL/ε², an estimate of tr(H)/N, from the curvature part
     *     when two-sided
     * @param runsAtFullTrainAccuracy runs whose last epoch reached 100 % training accuracy
     * @param curvature two-sided curvature part over runs, or null
     * @param firstOrder two-sided first-order part over runs, or null
     */
    public record OverRuns(double epsilon, Double mean, Double std, int runs, Double standardError,
            Boolean distinguishableFromZero, Double impliedMeanCurvature, int runsAtFullTrainAccuracy,
            Part curvature, Part firstOrder) {
    }

    /** Mean, population std, standard error and 95 % flag of one quantity. */
    public record Part(Double mean, Double std, Double standardError, Boolean distinguishableFromZero) {
    }

    /**
     * One training run.
     *
     * @param finalTrainAccuracy on-the-fly training accuracy of the last epoch, in [0, 1]
     * @param baselineLoss L(θ): mean cross-entropy over the training subset, inference mode
     * @param lossIncrease per ε: L(θ + ε·d) − L(θ) for each direction, with mean and
     *     population std over directions
     * @param epochs per-epoch on-the-fly mean loss and accuracy
     * @param float32Loss L(θ) in float32, or null for older runs
     * @param float64Loss L(θ) in float64 from the same float32 parameters, or null
     * @param float32RoundOff |float32Loss − float64Loss|, the estimated float32 round-off of
     *     the loss, or null
     * @param generalization train and test loss and accuracy, or null for runs stored before it
     *     was measured
     * @param measures the further measures per network variant, ORIGINAL first
     * @param reparameterization each scalar measure before and after the rescaling, empty
     *     without a reparameterization check
     */
    public record RunResults(long runId, int runIndex, int epochsTrained, double finalTrainAccuracy,
            boolean reachedFullTrainAccuracy, double baselineLoss, double trainingSeconds, double measuringSeconds,
            List<OverDirections> lossIncrease, List<EpochStats> epochs, Snapshot snapshot, Double float32Loss,
            Double float64Loss, Double float32RoundOff, MeasureResults.Generalization generalization,
            List<MeasureResults.RunMeasures> measures, List<MeasureResults.Invariance> reparameterization) {
    }

    /**
     * Loss increases of one run at one ε, one per direction, with their mean, population std,
     * standard error and 95 % flag.
     *
     * @param impliedMeanCurvature 2·ΔL/ε² from the mean, or from the curvature part when
     *     two-sided: an estimate of the mean Hessian eigenvalue tr(H)/N
     * @param twoSided the θ − ε·d side and the parts it yields, or null
     */
    public record OverDirections(double epsilon, List<Double> directions, double mean, double std, Double standardError,
            Boolean distinguishableFromZero, double impliedMeanCurvature, TwoSided twoSided) {
    }

    /**
     * The antithetic side of a two-sided measurement.
     *
     * @param minusDirections L(θ − ε·d) − L(θ) per direction
     * @param curvature ½[L(θ+εd) + L(θ−εd)] − L(θ) per direction, ≈ ½ε²·dᵀHd
     * @param firstOrder ½[L(θ+εd) − L(θ−εd)] per direction, ≈ ε·gᵀd
     */
    public record TwoSided(List<Double> minusDirections, Values curvature, Values firstOrder) {
    }

    /** Values per direction with their mean, population std, standard error and 95 % flag. */
    public record Values(List<Double> values, double mean, double std, Double standardError,
            Boolean distinguishableFromZero) {
    }

    /** Download link and checksum of the run's trained parameters. */
    public record Snapshot(String url, String format, long sizeBytes, String sha256) {
    }
}
