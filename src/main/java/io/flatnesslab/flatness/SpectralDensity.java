package io.flatnesslab.flatness;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntToLongFunction;

import io.flatnesslab.flatness.HessianResult.Density;
import io.flatnesslab.flatness.HessianResult.QuadratureRule;

/**
 * Spectral density of the Hessian at θ₀ by stochastic Lanczos quadrature. The formulas are in
 * {@link Density}, the costs and memory in {@link HessianEstimator}.
 */
final class SpectralDensity {

    /** Kernel width σ as a fraction of the range of the nodes. */
    static final double KERNEL_WIDTH_FRACTION = 0.01;

    /** Margin of the grid beyond the extreme nodes, in kernel widths. */
    static final double GRID_MARGIN = 5;

    private SpectralDensity() {
    }

    /**
     * Runs {@code lanczosSteps} Lanczos steps from each of {@code vectors} Rademacher start
     * vectors, one after the other, and smooths their quadrature rules on a grid.
     *
     * @param startSeed seed of start vector v (from 0)
     */
    static Density estimate(HessianVectorProduct product, LossLandscape landscape, int vectors, int lanczosSteps,
            IntToLongFunction startSeed) {
        List<QuadratureRule> rules = new ArrayList<>();
        for (int v = 0; v < vectors; v++) {
            try (Lanczos lanczos = new Lanczos(product, landscape, startSeed.applyAsLong(v), lanczosSteps)) {
                while (lanczos.canStep()) {
                    lanczos.step();
                }
                SymmetricTridiagonal.Eigensystem ritz = lanczos.ritz(true);
                rules.add(new QuadratureRule(ritz.values(), ritz.firstComponentsSquared(), lanczos.steps()));
            }
        }
        return smooth(rules, HessianEstimator.DENSITY_GRID_POINTS);
    }

    /**
     * Averages the rules and smooths every node with a Gaussian kernel of width σ = 1 % of the
     * nodes' range (of max(|λ|, 1) when all nodes coincide), on an even grid of {@code points}
     * points over [λ_min − 5σ, λ_max + 5σ], scaled to a trapezoid integral of 1.
     */
    static Density smooth(List<QuadratureRule> rules, int points) {
        double lowest = Double.POSITIVE_INFINITY;
        double highest = Double.NEGATIVE_INFINITY;
        for (QuadratureRule rule : rules) {
            for (double node : rule.nodes()) {
                lowest = Math.min(lowest, node);
                highest = Math.max(highest, node);
            }
        }
        double range = highest - lowest;
        double width = KERNEL_WIDTH_FRACTION * (range > 0 ? range : Math.max(Math.abs(highest), 1));

        double[] grid = new double[points];
        double from = lowest - GRID_MARGIN * width;
        double spacing = (highest - lowest + 2 * GRID_MARGIN * width) / (points - 1);
        for (int g = 0; g < points; g++) {
            grid[g] = from + g * spacing;
        }

        double[] values = new double[points];
        double normalization = 1 / (rules.size() * width * Math.sqrt(2 * Math.PI));
        for (QuadratureRule rule : rules) {
            for (int j = 0; j < rule.nodes().length; j++) {
                for (int g = 0; g < points; g++) {
                    double z = (grid[g] - rule.nodes()[j]) / width;
                    values[g] += normalization * rule.weights()[j] * Math.exp(-0.5 * z * z);
                }
            }
        }

        double integral = 0;
        for (int g = 1; g < points; g++) {
            integral += 0.5 * (values[g - 1] + values[g]) * spacing;
        }
        for (int g = 0; g < points; g++) {
            values[g] /= integral;
        }
        return new Density(rules, width, grid, values);
    }
}
