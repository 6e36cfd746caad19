package io.flatnesslab.experiment;

import java.util.LinkedHashMap;
import java.util.Map;

import io.flatnesslab.flatness.HessianEstimator;
import io.flatnesslab.flatness.HessianSettings;
import io.flatnesslab.flatness.Interpolation;
import io.flatnesslab.flatness.KeskarSettings;
import io.flatnesslab.flatness.KeskarSharpness;
import io.flatnesslab.flatness.LandscapeScan;
import io.flatnesslab.flatness.PacBayesFlatness;
import io.flatnesslab.flatness.PacBayesSettings;
import io.flatnesslab.flatness.WorstCaseSettings;
import io.flatnesslab.flatness.WorstCaseSharpness;


/**
 * Planned evaluations of the measures of an experiment beyond the classic random directions, for
 * progress reports and time estimates, from each measure's own count of its evaluations. The spec
 * must be valid: the settings of an invalid one cannot be built. Iterative measures that converge early use fewer; the job
 * counts the difference as skipped.
 */
public final class MeasurePlan {

    private MeasurePlan() {
    }

    /** Returns the planned cost of each measure of one run on one network variant, in run order. */
    public static Map<MeasureKind, MeasureCost> perVariant(ExperimentSpec spec, NetworkVariant variant, int testSize) {
        FlatnessSpec flatness = spec.flatness();
        int n = spec.dataset().trainSize();
        Map<MeasureKind, MeasureCost> costs = new LinkedHashMap<>();

        if (variant == NetworkVariant.ORIGINAL) {
            costs.put(MeasureKind.GENERALIZATION, MeasureCost.losses(testSize > 0 ? 2 : 1, Math.max(n, testSize)));
        } else {
            int sides = flatness.twoSided() ? 2 : 1;
            costs.put(MeasureKind.RANDOM_DIRECTIONS,
                    MeasureCost.losses(2 + (long) flatness.directions() * flatness.epsilons().size() * sides, n));
        }
        if (flatness.slice() != null) {
            costs.put(MeasureKind.SLICE, MeasureCost.losses(
                    flatness.slice().directions() * LandscapeScan.plannedSliceEvaluations(flatness.slice().points()), n));
        }
        if (flatness.surface() != null) {
            int points = flatness.surface().points();
            costs.put(MeasureKind.SURFACE, MeasureCost.losses(LandscapeScan.plannedSurfaceEvaluations(points, points), n));
        }
        // The seeds do not change the counts, so the settings are built with seed 0.
        if (flatness.worstCase() != null) {
            WorstCaseSettings settings = FurtherMeasureSettings.worstCase(flatness.worstCase(), n, 0);
            costs.put(MeasureKind.WORST_CASE, new MeasureCost(WorstCaseSharpness.plannedLossEvaluations(settings),
                    WorstCaseSharpness.plannedGradientEvaluations(settings), settings.batchSize(), settings.batchSize()));
        }
        if (flatness.keskar() != null) {
            KeskarSettings settings = FurtherMeasureSettings.keskar(flatness.keskar(), n, 0);
            costs.put(MeasureKind.KESKAR, new MeasureCost(KeskarSharpness.plannedLossEvaluations(settings),
                    KeskarSharpness.plannedGradientEvaluations(settings), settings.batchSize(), settings.batchSize()));
        }
        if (flatness.hessian() != null) {
            HessianSettings settings = FurtherMeasureSettings.hessian(flatness.hessian(), 0);
            int examples = flatness.hessian().examples() == null ? n : flatness.hessian().examples();
            costs.put(MeasureKind.HESSIAN, new MeasureCost(HessianEstimator.plannedLossEvaluations(settings),
                    HessianEstimator.plannedGradientEvaluations(settings), examples, examples));
        }
        if (flatness.pacBayes() != null) {
            PacBayesSettings settings = FurtherMeasureSettings.pacBayes(flatness.pacBayes(), 0);
            costs.put(MeasureKind.PAC_BAYES, new MeasureCost(PacBayesFlatness.plannedLossEvaluations(settings),
                    PacBayesFlatness.plannedGradientEvaluations(settings), n, n));
        }
        return costs;
    }

    /** Returns the planned cost of all measures of one run, both variants when the spec rescales. */
    public static Map<NetworkVariant, Map<MeasureKind, MeasureCost>> perRun(ExperimentSpec spec, int testSize) {
        Map<NetworkVariant, Map<MeasureKind, MeasureCost>> plan = new LinkedHashMap<>();
        plan.put(NetworkVariant.ORIGINAL, perVariant(spec, NetworkVariant.ORIGINAL, testSize));
        if (spec.flatness().reparameterization() != null) {
            plan.put(NetworkVariant.RESCALED, perVariant(spec, NetworkVariant.RESCALED, testSize));
        }
        return plan;
    }

    /** Returns the planned units of the further measures of a whole experiment: every run's and every group's. */
    public static long units(ExperimentSpec spec, int testSize) {
        long perRun = 0;
        for (Map<MeasureKind, MeasureCost> variant : perRun(spec, testSize).values()) {
            for (MeasureCost cost : variant.values()) {
                perRun += cost.units();
            }
        }
        return spec.totalRuns() * perRun + spec.groups().size() * interpolations(spec).units();
    }

    /**
     * Returns the planned cost of the interpolations of one group: one per pair of consecutive
     * runs, or one to the second model when an imported model is measured.
     */
    public static MeasureCost interpolations(ExperimentSpec spec) {
        if (spec.flatness().interpolation() == null) {
            return MeasureCost.NONE;
        }
        long pairs = spec.measuresImportedModel() ? 1 : spec.runsPerGroup() - 1;
        if (pairs < 1) {
            return MeasureCost.NONE;
        }
        return MeasureCost.losses(pairs * interpolationEvaluations(spec), spec.dataset().trainSize());
    }

    /** Loss evaluations of one interpolation: the grid, and each endpoint the grid misses. */
    public static long interpolationEvaluations(ExperimentSpec spec) {
        InterpolationSpec interpolation = spec.flatness().interpolation();
        return Interpolation.plannedLossEvaluations(
                LandscapeScan.centredGrid(interpolation.min(), interpolation.max(), interpolation.points()));
    }
}
