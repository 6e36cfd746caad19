package io.flatnesslab.experiment;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.flatnesslab.experiment.MeasureResults.Cost;
import io.flatnesslab.experiment.MeasureResults.Generalization;
import io.flatnesslab.experiment.MeasureResults.Invariance;
import io.flatnesslab.experiment.MeasureResults.LandscapeSlices;
import io.flatnesslab.experiment.MeasureResults.LandscapeSurface;
import io.flatnesslab.experiment.MeasureResults.PairInterpolation;
import io.flatnesslab.experiment.MeasureResults.RandomDirectionSweep;
import io.flatnesslab.experiment.MeasureResults.RunMeasures;
import io.flatnesslab.experiment.MeasureResults.ScalarSummary;
import io.flatnesslab.flatness.HessianResult;
import io.flatnesslab.flatness.KeskarResult;
import io.flatnesslab.flatness.PacBayesResult;
import io.flatnesslab.flatness.LandscapeScan.SliceResult;
import io.flatnesslab.flatness.Statistics;
import io.flatnesslab.flatness.LandscapeScan.SurfaceResult;
import io.flatnesslab.flatness.WorstCaseResult;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reader of the stored measures of an experiment into the results. Per run and network variant
 * it returns the measures, the generalization and the reparameterization check. Per group it
 * returns the interpolations and a summary of each scalar measure over runs.
 *
 * <p>The scalar summaries, used for the check and the group summary, are:
 * <ul>
 * <li>random directions: the mean increase at each ε;
 * <li>slices and surfaces: the mean of L − L(θ) over the grid and the directions;
 * <li>worst-case: the mean over minibatches; Keskar: φ;
 * <li>Hessian: the top eigenvalue and the trace;
 * <li>PAC-Bayes: σ and 1/σ², only when the search bracketed the target.
 * </ul>
 */
@Component
class MeasureReader {

    /**
     * Plain mapper for the stored documents: the strict request mapper rejects the "NaN" strings
     * that Jackson writes for a diverged loss.
     */
    static final JsonMapper DOCUMENTS = JsonMapper.builder().build();

    private final RunMeasureRepository measures;

    MeasureReader(RunMeasureRepository measures) {
        this.measures = measures;
    }

    /** The stored measures of one experiment, by group and run. */
    final class Stored {

        private final Map<String, Map<NetworkVariant, Map<MeasureKind, RunMeasure>>> byRun = new HashMap<>();

        private Stored(List<RunMeasure> rows) {
            for (RunMeasure row : rows) {
                byRun.computeIfAbsent(row.getGroupKey() + "#" + row.getRunIndex(), key -> new EnumMap<>(NetworkVariant.class))
                        .computeIfAbsent(row.getVariant(), key -> new EnumMap<>(MeasureKind.class))
                        .put(row.getMeasure(), row);
            }
        }

        /** Returns the generalization of a run, or null when it was not measured. */
        Generalization generalization(String group, int run) {
            RunMeasure row = row(group, run, NetworkVariant.ORIGINAL, MeasureKind.GENERALIZATION);
            return row == null ? null : read(row, Generalization.class);
        }

        /** Returns the measures of a run per variant, ORIGINAL first; empty when none beyond generalization. */
        List<RunMeasures> measures(String group, int run) {
            List<RunMeasures> result = new ArrayList<>();
            Map<NetworkVariant, Map<MeasureKind, RunMeasure>> variants = byRun.getOrDefault(group + "#" + run, Map.of());
            for (NetworkVariant variant : NetworkVariant.values()) {
                Map<MeasureKind, RunMeasure> rows = variants.getOrDefault(variant, Map.of());
                boolean any = rows.keySet().stream()
                        .anyMatch(kind -> kind != MeasureKind.GENERALIZATION && kind != MeasureKind.INTERPOLATION);
                if (!any) {
                    continue;
                }
                List<Cost> costs = new ArrayList<>();
                rows.values().forEach(row -> costs.add(new Cost(row.getMeasure(), row.getLossEvaluations(),
                        row.getGradientEvaluations(), row.getSeconds())));
                result.add(new RunMeasures(variant,
                        read(rows.get(MeasureKind.RANDOM_DIRECTIONS), RandomDirectionSweep.class),
                        read(rows.get(MeasureKind.SLICE), LandscapeSlices.class),
                        read(rows.get(MeasureKind.SURFACE), LandscapeSurface.class),
                        read(rows.get(MeasureKind.WORST_CASE), WorstCaseResult.class),
                        read(rows.get(MeasureKind.KESKAR), KeskarResult.class),
                        read(rows.get(MeasureKind.HESSIAN), HessianResult.class),
                        read(rows.get(MeasureKind.PAC_BAYES), PacBayesResult.class), costs));
            }
            return result;
        }

        /** Returns the interpolations between consecutive runs of a group, by first run. */
        List<PairInterpolation> interpolations(String group, int runs) {
            List<PairInterpolation> result = new ArrayList<>();
            for (int run = 0; run < runs; run++) {
                RunMeasure row = row(group, run, NetworkVariant.ORIGINAL, MeasureKind.INTERPOLATION);
                if (row != null) {
                    result.add(read(row, PairInterpolation.class));
                }
            }
            return result;
        }

        private RunMeasure row(String group, int run, NetworkVariant variant, MeasureKind kind) {
            return byRun.getOrDefault(group + "#" + run, Map.of()).getOrDefault(variant, Map.of()).get(kind);
        }
    }

    Stored read(long experimentId) {
        return new Stored(measures.findByExperimentIdOrderByGroupKeyAscRunIndexAscVariantAscMeasureAsc(experimentId));
    }

    /**
     * Returns the scalar summaries of one variant's measures.
     *
     * @param randomDirectionMeans mean increase per ε of the variant's random directions, or null
     */
    static Map<String, Double> scalars(RunMeasures measured, double[] epsilons, double[] randomDirectionMeans) {
        Map<String, Double> scalars = new LinkedHashMap<>();
        if (randomDirectionMeans != null) {
            for (int e = 0; e < epsilons.length; e++) {
                scalars.put("randomDirections.meanIncrease[epsilon=" + epsilons[e] + "]", randomDirectionMeans[e]);
            }
        }
        if (measured == null) {
            return scalars;
        }
        if (measured.slice() != null && !measured.slice().directions().isEmpty()) {
            double sum = 0;
            for (SliceResult slice : measured.slice().directions()) {
                sum += meanRise(slice.alphas(), slice.loss());
            }
            scalars.put("slice.meanIncrease", sum / measured.slice().directions().size());
        }
        if (measured.surface() != null) {
            SurfaceResult surface = measured.surface().surface();
            scalars.put("surface.meanIncrease", surfaceMeanRise(surface));
        }
        if (measured.worstCase() != null) {
            scalars.put("worstCase.mean", measured.worstCase().mean());
        }
        if (measured.keskar() != null) {
            scalars.put("keskar.sharpness", measured.keskar().sharpness());
        }
        if (measured.hessian() != null) {
            HessianResult hessian = measured.hessian();
            if (hessian.topEigenvalues() != null && !hessian.topEigenvalues().isEmpty()) {
                scalars.put("hessian.topEigenvalue", hessian.topEigenvalues().get(0).value());
            }
            if (hessian.trace() != null) {
                scalars.put("hessian.trace", hessian.trace().mean());
            }
        }
        // A σ at an end of the search range is a bound, not a measured value, so it is left out.
        if (measured.pacBayes() != null && measured.pacBayes().bracketed()) {
            scalars.put("pacBayes.sigma", measured.pacBayes().sigma());
            scalars.put("pacBayes.inverseSigmaSquared", measured.pacBayes().inverseSigmaSquared());
        }
        return scalars;
    }

    /** Returns the rows of the reparameterization check: every scalar present in both variants. */
    static List<Invariance> invariances(Map<String, Double> before, Map<String, Double> after) {
        List<Invariance> rows = new ArrayList<>();
        before.forEach((measure, value) -> {
            Double rescaled = after.get(measure);
            if (value != null && rescaled != null) {
                rows.add(Invariance.of(measure, value, rescaled));
            }
        });
        return rows;
    }

    /** Returns mean, population std and count over runs of every scalar, in first-seen order. */
    static List<ScalarSummary> summarize(List<Map<String, Double>> perRun) {
        Map<String, List<Double>> values = new LinkedHashMap<>();
        for (Map<String, Double> run : perRun) {
            run.forEach((measure, value) -> {
                if (value != null && Double.isFinite(value)) {
                    values.computeIfAbsent(measure, key -> new ArrayList<>()).add(value);
                }
            });
        }
        List<ScalarSummary> summaries = new ArrayList<>();
        values.forEach((measure, list) -> {
            double[] array = list.stream().mapToDouble(Double::doubleValue).toArray();
            summaries.add(new ScalarSummary(measure, Statistics.mean(array), Statistics.populationStd(array), array.length));
        });
        return summaries;
    }

    private static double meanRise(double[] alphas, double[] loss) {
        double origin = loss[closestToZero(alphas)];
        double sum = 0;
        for (double value : loss) {
            sum += value - origin;
        }
        return sum / loss.length;
    }

    private static double surfaceMeanRise(SurfaceResult surface) {
        double origin = surface.loss()[closestToZero(surface.alphas())][closestToZero(surface.betas())];
        double sum = 0;
        int count = 0;
        for (double[] row : surface.loss()) {
            for (double value : row) {
                sum += value - origin;
                count++;
            }
        }
        return sum / count;
    }

    private static int closestToZero(double[] grid) {
        int best = 0;
        for (int i = 1; i < grid.length; i++) {
            if (Math.abs(grid[i]) < Math.abs(grid[best])) {
                best = i;
            }
        }
        return best;
    }

    private static <T> T read(RunMeasure row, Class<T> type) {
        return row == null ? null : DOCUMENTS.readValue(row.getResultJson(), type);
    }
}
