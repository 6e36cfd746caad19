package io.flatnesslab.experiment;

import java.util.List;

import io.flatnesslab.flatness.DirectionNormalization;
import io.flatnesslab.flatness.FlatnessMeasurement;
import io.flatnesslab.flatness.HessianResult;
import io.flatnesslab.flatness.Interpolation.InterpolationResult;
import io.flatnesslab.flatness.KeskarResult;
import io.flatnesslab.flatness.LossAccuracy;
import io.flatnesslab.flatness.PacBayesResult;
import io.flatnesslab.flatness.LandscapeScan.SliceResult;
import io.flatnesslab.flatness.LandscapeScan.SurfaceResult;
import io.flatnesslab.flatness.WorstCaseResult;
import io.swagger.v3.oas.annotations.media.Schema;

/** Results of the measures beyond the classic random directions, as stored and as reported. */
public final class MeasureResults {

    private MeasureResults() {
    }

    /**
     * Loss and accuracy on the training subset and on the held-out test split, at the trained
     * parameters in inference mode. A RANDOM group is tested against the dataset's true labels.
     *
     * @param lossGap testLoss − trainLoss
     * @param accuracyGap trainAccuracy − testAccuracy
     */
    @Schema(description = "Train and test loss and accuracy, and the generalization gap")
    public record Generalization(double trainLoss, double trainAccuracy, int testSize, Double testLoss,
            Double testAccuracy, Double lossGap, Double accuracyGap) {

        /** Returns the generalization of a run, with {@code test} null when there is no test split. */
        public static Generalization of(LossAccuracy train, LossAccuracy test, int testSize) {
            if (test == null) {
                return new Generalization(train.loss(), train.accuracy(), 0, null, null, null, null);
            }
            return new Generalization(train.loss(), train.accuracy(), testSize, test.loss(), test.accuracy(),
                    test.loss() - train.loss(), train.accuracy() - test.accuracy());
        }
    }

    /**
     * The random-direction measure repeated on the rescaled network, with the same directions'
     * seeds and normalization as the run's own measure.
     *
     * @param increases {@code increases[e][k]} = L(θ' + ε_e·d_k) − L(θ')
     * @param mean mean over directions per ε
     * @param minusIncreases the θ' − ε·d side of a two-sided measure, or null
     */
    @Schema(description = "Loss increases along random directions on the rescaled network")
    public record RandomDirectionSweep(double baselineLoss, double[] epsilons, double[][] increases, double[] mean,
            double[][] minusIncreases) {

        /** Returns the sweep of a measurement, with the mean increase per ε. */
        public static RandomDirectionSweep of(FlatnessMeasurement measurement) {
            double[][] increases = measurement.increases();
            double[] mean = new double[increases.length];
            for (int e = 0; e < increases.length; e++) {
                double sum = 0;
                for (double increase : increases[e]) {
                    sum += increase;
                }
                mean[e] = sum / increases[e].length;
            }
            return new RandomDirectionSweep(measurement.baselineLoss(), measurement.epsilons(), increases, mean,
                    measurement.minusIncreases());
        }
    }

    /** 1D slices, one per direction, with the normalization of their directions. */
    @Schema(description = "1D landscape slices, one per direction")
    public record LandscapeSlices(DirectionNormalization normalization, boolean filterBiases,
            List<SliceResult> directions) {
    }

    /** A 2D surface with the normalization of its two directions. */
    @Schema(description = "2D landscape surface")
    public record LandscapeSurface(DirectionNormalization normalization, boolean filterBiases, SurfaceResult surface) {
    }

    /**
     * Interpolation from run {@code runA} to run {@code runB} of the same group, or from the
     * measured imported model to imported model {@code modelB}.
     *
     * @param runB the second run, or null when interpolating to another imported model
     * @param modelB the second imported model, or null between runs
     */
    @Schema(description = "Linear interpolation between two runs of a group, or to a second imported model")
    public record PairInterpolation(int runA, Integer runB, Long modelB, InterpolationResult result) {
    }

    /** Evaluations and time one measure took. */
    public record Cost(MeasureKind measure, long lossEvaluations, long gradientEvaluations, double seconds) {
    }

    /**
     * The measures computed on one network variant of a run; a measure that was not requested
     * (or not computed yet) is null.
     *
     * @param randomDirections the random-direction measure, for the RESCALED variant only (the
     *     ORIGINAL one is the run's {@code lossIncrease})
     */
    @Schema(description = "Measures of one network variant of a run")
    public record RunMeasures(NetworkVariant variant, RandomDirectionSweep randomDirections, LandscapeSlices slice,
            LandscapeSurface surface, WorstCaseResult worstCase, KeskarResult keskar, HessianResult hessian,
            PacBayesResult pacBayes, List<Cost> costs) {
    }

    /**
     * One scalar summary of a measure on the trained network and on the rescaled equivalent one.
     *
     * @param relativeChange (after − before) / |before|, or null when before is 0
     * @param invariant whether the value changed by less than 0.1 % (relative). Both variants use
     *     the same seeds and the rescaled network computes the same function, so an invariant
     *     measure changes only by float32 round-off, and by nothing when α is a power of two.
     */
    @Schema(description = "A measure before and after the function-preserving rescaling")
    public record Invariance(String measure, double before, double after, Double relativeChange, boolean invariant) {

        static final double TOLERANCE = 1e-3;

        static Invariance of(String measure, double before, double after) {
            Double relative = before == 0 ? null : (after - before) / Math.abs(before);
            boolean invariant = relative == null ? after == 0 : Math.abs(relative) < TOLERANCE;
            return new Invariance(measure, before, after, relative, invariant);
        }
    }

    /** Mean, population std (ddof 0) and count over a group's runs of one scalar measure. */
    @Schema(description = "A scalar measure summarized over the runs of a group")
    public record ScalarSummary(String measure, double mean, double std, int runs) {
    }
}
