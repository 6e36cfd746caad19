package io.flatnesslab.experiment;

import java.util.Arrays;
import java.util.List;

import io.flatnesslab.experiment.ExperimentResults.OverDirections;
import io.flatnesslab.experiment.ExperimentResults.OverRuns;
import io.flatnesslab.experiment.ExperimentResults.Part;
import io.flatnesslab.experiment.ExperimentResults.TwoSided;
import io.flatnesslab.experiment.ExperimentResults.Values;
import io.flatnesslab.flatness.Statistics;

/**
 * Statistics of stored loss increases, per run over directions and per group over runs.
 *
 * <p>For direction k at norm ε, with ΔL₊ = L(θ+εd) − L(θ) and ΔL₋ = L(θ−εd) − L(θ):
 * curvature part c = ½(ΔL₊ + ΔL₋), first-order part f = ½(ΔL₊ − ΔL₋), and implied mean
 * curvature 2·m/ε², where m is the mean of c when two-sided and of ΔL₊ otherwise. For a
 * direction uniform on the unit sphere E[dᵀHd] = tr(H)/N, so 2·E[c]/ε² estimates the mean
 * Hessian eigenvalue.
 */
final class ResultStatistics {

    private ResultStatistics() {
    }

    static OverDirections overDirections(double epsilon, double[] plus, double[] minus) {
        TwoSided twoSided = null;
        double curvatureMean = Statistics.mean(plus);
        if (minus != null) {
            double[] curvature = new double[plus.length];
            double[] firstOrder = new double[plus.length];
            for (int k = 0; k < plus.length; k++) {
                curvature[k] = 0.5 * (plus[k] + minus[k]);
                firstOrder[k] = 0.5 * (plus[k] - minus[k]);
            }
            twoSided = new TwoSided(boxed(minus), values(curvature), values(firstOrder));
            curvatureMean = Statistics.mean(curvature);
        }
        return new OverDirections(epsilon, boxed(plus), Statistics.mean(plus), Statistics.populationStd(plus),
                finiteOrNull(Statistics.standardError(plus)), Statistics.distinguishableFromZero(plus),
                2 * curvatureMean / (epsilon * epsilon), twoSided);
    }

    /**
     * @param runMeans per-run mean increase at this ε
     * @param curvatureMeans per-run mean curvature part, or null when one-sided
     * @param firstOrderMeans per-run mean first-order part, or null when one-sided
     */
    static OverRuns overRuns(double epsilon, double[] runMeans, double[] curvatureMeans, double[] firstOrderMeans,
            int runsAtFullTrainAccuracy) {
        if (runMeans.length == 0) {
            return new OverRuns(epsilon, null, null, 0, null, null, null, 0, null, null);
        }
        double implied = 2 * Statistics.mean(curvatureMeans != null ? curvatureMeans : runMeans) / (epsilon * epsilon);
        return new OverRuns(epsilon, Statistics.mean(runMeans), Statistics.populationStd(runMeans), runMeans.length,
                finiteOrNull(Statistics.standardError(runMeans)), Statistics.distinguishableFromZero(runMeans), implied,
                runsAtFullTrainAccuracy, curvatureMeans == null ? null : part(curvatureMeans),
                firstOrderMeans == null ? null : part(firstOrderMeans));
    }

    private static Values values(double[] values) {
        return new Values(boxed(values), Statistics.mean(values), Statistics.populationStd(values),
                finiteOrNull(Statistics.standardError(values)), Statistics.distinguishableFromZero(values));
    }

    private static Part part(double[] values) {
        return new Part(Statistics.mean(values), Statistics.populationStd(values),
                finiteOrNull(Statistics.standardError(values)), Statistics.distinguishableFromZero(values));
    }

    private static Double finiteOrNull(double value) {
        return Double.isFinite(value) ? value : null;
    }

    private static List<Double> boxed(double[] values) {
        return Arrays.stream(values).boxed().toList();
    }
}
