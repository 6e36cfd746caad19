package io.flatnesslab.experiment;

import java.util.LinkedHashMap;
import java.util.Map;

import io.flatnesslab.flatness.Interpolation;
import io.flatnesslab.flatness.LandscapeScan;


/**
 * Planned evaluations of the measures of an experiment beyond the classic random directions, for
 * progress reports and time estimates. Iterative measures that converge early use fewer; the job
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
            costs.put(MeasureKind.SLICE, MeasureCost.losses((long) flatness.slice().directions() * flatness.slice().points(), n));
        }
        if (flatness.surface() != null) {
            long points = flatness.surface().points();
            costs.put(MeasureKind.SURFACE, MeasureCost.losses(points * points, n));
        }
        if (flatness.worstCase() != null) {
            WorstCaseSpec worstCase = flatness.worstCase();
            int batchSize = worstCase.batchSizeFor(n);
            costs.put(MeasureKind.WORST_CASE, new MeasureCost(worstCase.batches(),
                    (long) worstCase.batches() * worstCase.restarts() * (worstCase.iterations() + 1), batchSize, batchSize));
        }
        if (flatness.keskar() != null) {
            KeskarSpec keskar = flatness.keskar();
            int batchSize = keskar.batchSizeFor(n);
            costs.put(MeasureKind.KESKAR, new MeasureCost(keskar.batches(),
                    (long) keskar.batches() * (keskar.iterations() + 1), batchSize, batchSize));
        }
        if (flatness.hessian() != null) {
            HessianSpec hessian = flatness.hessian();
            int examples = hessian.examples() == null ? n : hessian.examples();
            costs.put(MeasureKind.HESSIAN, new MeasureCost(0, hessianGradients(hessian), 0, examples));
        }
        if (flatness.pacBayes() != null) {
            PacBayesSpec pacBayes = flatness.pacBayes();
            costs.put(MeasureKind.PAC_BAYES,
                    MeasureCost.losses(1 + (long) (pacBayes.bisectionSteps() + 2) * pacBayes.samples(), n));
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
        if (!(interpolation.min() < interpolation.max()) || !Double.isFinite(interpolation.max() - interpolation.min())) {
            // An invalid range is reported by the validator; plan for the grid and both endpoints.
            return interpolation.points() + 2L;
        }
        return Interpolation.plannedLossEvaluations(
                LandscapeScan.centredGrid(interpolation.min(), interpolation.max(), interpolation.points()));
    }

    private static long hessianGradients(HessianSpec hessian) {
        long products = hessian.traceSamples() + (long) hessian.densityVectors() * hessian.lanczosSteps();
        if (hessian.topK() > 0) {
            products += hessian.method() == HessianSpec.HessianMethod.POWER
                    ? (long) hessian.topK() * hessian.maxIterations()
                    : hessian.maxIterations();
        }
        return 2 * products;
    }
}
