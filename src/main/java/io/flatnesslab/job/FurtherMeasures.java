package io.flatnesslab.job;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;

import io.flatnesslab.experiment.ExperimentLifecycle;
import io.flatnesslab.experiment.ExperimentSpec;
import io.flatnesslab.experiment.FlatnessSpec;
import io.flatnesslab.experiment.FurtherMeasureSettings;
import io.flatnesslab.experiment.HessianSpec;
import io.flatnesslab.experiment.MeasureCost;
import io.flatnesslab.experiment.MeasureKind;
import io.flatnesslab.experiment.MeasurePlan;
import io.flatnesslab.experiment.MeasureResults.Generalization;
import io.flatnesslab.experiment.MeasureResults.LandscapeSlices;
import io.flatnesslab.experiment.MeasureResults.LandscapeSurface;
import io.flatnesslab.experiment.MeasureResults.RandomDirectionSweep;
import io.flatnesslab.experiment.NetworkVariant;
import io.flatnesslab.experiment.ProgressUpdate;
import io.flatnesslab.experiment.SliceSpec;
import io.flatnesslab.experiment.SurfaceSpec;
import io.flatnesslab.flatness.DirectionNormalization;
import io.flatnesslab.flatness.DirectionIncreases;
import io.flatnesslab.flatness.EvaluationListener;
import io.flatnesslab.flatness.FlatnessMeasurement;
import io.flatnesslab.flatness.FlatnessMeter;
import io.flatnesslab.flatness.HessianEstimator;
import io.flatnesslab.flatness.KeskarSharpness;
import io.flatnesslab.flatness.LandscapeScan;
import io.flatnesslab.flatness.LossAccuracy;
import io.flatnesslab.flatness.LossLandscape;
import io.flatnesslab.flatness.MeasurementListener;
import io.flatnesslab.flatness.NormalizedDirections;
import io.flatnesslab.flatness.PacBayesFlatness;
import io.flatnesslab.flatness.ParameterLayout;
import io.flatnesslab.flatness.Precision;
import io.flatnesslab.flatness.Reparameterization;
import io.flatnesslab.flatness.LandscapeScan.SliceResult;
import io.flatnesslab.flatness.WorstCaseSharpness;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The measures of one run beyond the classic random directions. Generalization on the test
 * split comes first, then each requested measure on the trained network. With a
 * reparameterization check, all of them and the random directions run again on the rescaled
 * equivalent network. All of them evaluate in float32, whatever {@code flatness.precision} is.
 *
 * <p>Each measure is stored as soon as it finishes and skipped when a resumed job finds it
 * stored. Every random draw comes from a seed derived from the experiment seed, the group, the
 * run and the measure, but not from the variant. So both variants probe the same random vectors,
 * and their difference shows only the effect of the rescaling. A shutdown stops the run at the
 * next measure boundary.
 */
final class FurtherMeasures {

    private static final Logger log = LoggerFactory.getLogger(FurtherMeasures.class);

    /** Minimum time between two progress writes inside one measure. */
    private static final long REPORT_INTERVAL_NANOS = 500_000_000L;

    private final ExperimentLifecycle lifecycle;

    private final long id;

    private final ExperimentSpec spec;

    private final String group;

    private final int run;

    private final String unit;

    private final ProgressTracker progress;

    private final CancellationToken token;

    private final Map<NetworkVariant, Map<MeasureKind, MeasureCost>> plan;

    private final Set<String> stored;

    FurtherMeasures(ExperimentLifecycle lifecycle, long id, ExperimentSpec spec, String group, int run,
            ProgressTracker progress, CancellationToken token, int testSize) {
        this.lifecycle = lifecycle;
        this.id = id;
        this.spec = spec;
        this.group = group;
        this.run = run;
        this.unit = group + "#" + run;
        this.progress = progress;
        this.token = token;
        this.plan = MeasurePlan.perRun(spec, testSize);
        this.stored = lifecycle.storedMeasures(id, group, run);
    }

    /**
     * Computes and stores every measure of the run that is not stored yet.
     *
     * @param trained the trained network, left at its parameters
     * @param training the run's training examples (with the labels it was trained on)
     * @param test the held-out test examples with the dataset's labels, or null
     */
    void run(MultiLayerNetwork trained, DataSet training, DataSet test) {
        FlatnessSpec flatness = spec.flatness();
        compute(NetworkVariant.ORIGINAL, MeasureKind.GENERALIZATION, trained, training,
                (landscape, counter) -> generalization(landscape, test));
        measureVariant(NetworkVariant.ORIGINAL, trained, training);
        if (flatness.reparameterization() == null) {
            return;
        }

        MultiLayerNetwork rescaled = trained.clone();
        try {
            ParameterLayout layout = ParameterLayout.of(trained);
            INDArray parameters = Reparameterization.rescale(trained.params(), layout,
                    flatness.reparameterization().layer(), flatness.reparameterization().alpha());
            rescaled.params().assign(parameters);
            parameters.close();
            compute(NetworkVariant.RESCALED, MeasureKind.RANDOM_DIRECTIONS, rescaled, training,
                    (landscape, counter) -> randomDirections(rescaled, training, counter));
            measureVariant(NetworkVariant.RESCALED, rescaled, training);
        } finally {
            rescaled.close();
        }
    }

    private void measureVariant(NetworkVariant variant, MultiLayerNetwork network, DataSet training) {
        FlatnessSpec flatness = spec.flatness();
        if (flatness.slice() != null) {
            compute(variant, MeasureKind.SLICE, network, training,
                    (landscape, counter) -> slices(landscape, flatness.slice()));
        }
        if (flatness.surface() != null) {
            compute(variant, MeasureKind.SURFACE, network, training,
                    (landscape, counter) -> surface(landscape, flatness.surface()));
        }
        if (flatness.worstCase() != null) {
            compute(variant, MeasureKind.WORST_CASE, network, training,
                    (landscape, counter) -> WorstCaseSharpness.measure(landscape, FurtherMeasureSettings.worstCase(
                            flatness.worstCase(), spec.dataset().trainSize(), seed("worst-case"))));
        }
        if (flatness.keskar() != null) {
            compute(variant, MeasureKind.KESKAR, network, training,
                    (landscape, counter) -> KeskarSharpness.measure(landscape, FurtherMeasureSettings.keskar(
                            flatness.keskar(), spec.dataset().trainSize(), seed("keskar"))));
        }
        if (flatness.hessian() != null) {
            HessianSpec hessian = flatness.hessian();
            DataSet examples = hessian.examples() == null || hessian.examples() >= training.numExamples() ? training
                    : LossLandscape.rows(training, 0, hessian.examples());
            compute(variant, MeasureKind.HESSIAN, network, examples,
                    (landscape, counter) -> HessianEstimator.estimate(landscape,
                            FurtherMeasureSettings.hessian(hessian, seed("hessian"))));
        }
        if (flatness.pacBayes() != null) {
            compute(variant, MeasureKind.PAC_BAYES, network, training,
                    (landscape, counter) -> PacBayesFlatness.measure(landscape,
                            FurtherMeasureSettings.pacBayes(flatness.pacBayes(), seed("pac-bayes"))));
        }
    }

    /**
     * Runs one measure unless it is stored, stores its result and settles its progress units.
     * The landscape restores the network's parameters when it closes, also after a failure.
     */
    private void compute(NetworkVariant variant, MeasureKind kind, MultiLayerNetwork network, DataSet data,
            BiFunction<LossLandscape, Progress, Object> measure) {
        MeasureCost planned = plan.get(variant).get(kind);
        if (stored.contains(ExperimentLifecycle.measureKey(variant, kind))) {
            progress.measureSkipped(group, planned.units(), planned.costPerParameter());
            return;
        }
        if (token.isShutdown()) {
            throw new JobSuspendedException();
        }

        String phase = variant == NetworkVariant.RESCALED ? "MEASURING_RESCALED_" + kind : "MEASURING_" + kind;
        report(phase);
        long started = System.nanoTime();
        Progress listener = new Progress(phase, planned);
        Object result;
        long lossEvaluations;
        long gradientEvaluations;
        try (LossLandscape landscape = new LossLandscape(network, data, Precision.FLOAT, listener,
                token::isCancelRequested)) {
            result = measure.apply(landscape, listener);
            lossEvaluations = landscape.lossEvaluations() + listener.outsideLossEvaluations;
            gradientEvaluations = landscape.gradientEvaluations();
        }

        double seconds = Math.round((System.nanoTime() - started) / 1e6) / 1e3;
        lifecycle.saveMeasure(id, group, run, variant, kind, result, lossEvaluations, gradientEvaluations, seconds);
        long unused = planned.units() - listener.counted;
        if (unused > 0) {
            progress.measureSkipped(group, unused, planned.costPerParameter() * unused / planned.units());
        }
        log.info("Experiment {} run {} measured {} on the {} network: {} loss and {} gradient evaluations in {} s", id,
                unit, kind, variant, lossEvaluations, gradientEvaluations, seconds);
    }

    private static Generalization generalization(LossLandscape landscape, DataSet test) {
        LossAccuracy train = landscape.evaluate(landscape.origin());
        if (test == null) {
            return Generalization.of(train, null, 0);
        }
        LossAccuracy heldOut = landscape.evaluate(landscape.origin(), test);
        return Generalization.of(train, heldOut, test.numExamples());
    }

    /**
     * Repeats the run's random-direction measure, with the same directions' seeds, on
     * {@code network}. It evaluates through {@link FlatnessMeter}, not the landscape, so its
     * evaluations are counted here.
     */
    private RandomDirectionSweep randomDirections(MultiLayerNetwork network, DataSet training, Progress counter) {
        FlatnessSpec flatness = spec.flatness();
        double[] epsilons = flatness.epsilons().stream().mapToDouble(Double::doubleValue).toArray();
        try (DirectionSource source = DirectionSource.of(spec, group, run, network)) {
            FlatnessMeasurement measurement = FlatnessMeter.measure(network, training, epsilons, flatness.directions(),
                    source, flatness.twoSided(), flatness.precision(), new DirectionIncreases[flatness.directions()],
                    new MeasurementListener() {

                        @Override
                        public void onBaseline(double baseline, double float32Loss, double float64Loss) {
                            counter.onOutsideLossEvaluation();
                            counter.onOutsideLossEvaluation();
                        }

                        @Override
                        public void onEvaluation(int k, int epsilonIndex) {
                            counter.onOutsideLossEvaluation();
                            if (flatness.twoSided()) {
                                counter.onOutsideLossEvaluation();
                            }
                        }
                    }, token::isCancelRequested);
            return RandomDirectionSweep.of(measurement);
        }
    }

    private LandscapeSlices slices(LossLandscape landscape, SliceSpec slice) {
        double[] alphas = LandscapeScan.centredGrid(slice.min(), slice.max(), slice.points());
        List<SliceResult> results = new ArrayList<>();
        for (int k = 0; k < slice.directions(); k++) {
            INDArray direction = direction(landscape, slice.normalization(), slice.filterBiases(),
                    Seeds.derive(spec.seed(), "slice", group, run, k));
            try {
                results.add(LandscapeScan.slice(landscape, direction, alphas));
            } finally {
                direction.close();
            }
        }
        return new LandscapeSlices(slice.normalization(), slice.filterBiases(), results);
    }

    // NOTE: a surface is stored whole, so a crash during a 51 x 51 surface of the 29.8 M-parameter
    // network repeats up to 2601 loss evaluations (about 16 minutes on 2 cores) at the next start.
    private LandscapeSurface surface(LossLandscape landscape, SurfaceSpec surface) {
        double[] grid = LandscapeScan.centredGrid(surface.min(), surface.max(), surface.points());
        INDArray first = direction(landscape, surface.normalization(), surface.filterBiases(),
                Seeds.derive(spec.seed(), "surface", group, run, 0));
        INDArray second = direction(landscape, surface.normalization(), surface.filterBiases(),
                Seeds.derive(spec.seed(), "surface", group, run, 1));
        try {
            return new LandscapeSurface(surface.normalization(), surface.filterBiases(),
                    LandscapeScan.surface(landscape, first, second, grid, grid, LandscapeScan.RowListener.NONE));
        } finally {
            first.close();
            second.close();
        }
    }

    private static INDArray direction(LossLandscape landscape, DirectionNormalization normalization,
            boolean filterBiases, long seed) {
        INDArray direction = landscape.newVector();
        NormalizedDirections.fill(direction, landscape.origin(), landscape.layout(), normalization, filterBiases, seed);
        return direction;
    }

    /** Seed of a measure's random draws in this run, the same for both network variants. */
    private long seed(String measure) {
        return Seeds.derive(spec.seed(), measure, group, run);
    }

    private void report(String phase) {
        lifecycle.progress(id, new ProgressUpdate(phase, group, run, null, null, null, progress.unitsDone(),
                progress.unitsTotal(), progress.secondsRemaining()));
    }

    /**
     * Counts a measure's evaluations as progress, up to its planned number, and writes progress
     * at most every {@link #REPORT_INTERVAL_NANOS}.
     */
    private final class Progress implements EvaluationListener {

        private final String phase;

        private final MeasureCost planned;

        private long counted;

        /** Loss evaluations made outside the landscape and reported through this listener. */
        private long outsideLossEvaluations;

        private long lastReport = System.nanoTime();

        Progress(String phase, MeasureCost planned) {
            this.phase = phase;
            this.planned = planned;
        }

        @Override
        public void onLossEvaluation() {
            count(false);
        }

        /** Counts a loss evaluation that the landscape did not make. */
        void onOutsideLossEvaluation() {
            outsideLossEvaluations++;
            count(false);
        }

        @Override
        public void onGradientEvaluation() {
            count(true);
        }

        private void count(boolean gradient) {
            if (counted >= planned.units()) {
                return;
            }
            counted++;
            progress.measureEvaluated(group, gradient ? planned.gradientExamples() : planned.lossExamples(), gradient);
            if (System.nanoTime() - lastReport >= REPORT_INTERVAL_NANOS) {
                report(phase);
                lastReport = System.nanoTime();
            }
        }
    }
}
