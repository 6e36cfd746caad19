package io.flatnesslab.flatness;

import java.util.List;

/**
 * Estimates of the Hessian spectrum of the training loss at θ₀, as {@link HessianEstimator}
 * computes them.
 *
 * @param topEigenvalues largest eigenvalues, largest first, or empty when topK is 0
 * @param trace Hutchinson estimate of tr(H), or null when traceSamples is 0
 * @param density spectral density by stochastic Lanczos quadrature, or null when densityVectors is 0
 * @param product how the Hessian-vector products were computed
 * @param finiteDifferenceStep step h of every central-difference product, or null for EXACT
 * @param gradientEvaluations gradient evaluations the estimate made, as the landscape counted them
 */
public record HessianResult(List<Eigenvalue> topEigenvalues, Trace trace, Density density,
        HessianSettings.Product product, Double finiteDifferenceStep, long gradientEvaluations) {

    public HessianResult {
        topEigenvalues = List.copyOf(topEigenvalues);
    }

    /**
     * One estimated eigenvalue.
     *
     * @param index rank from 1 for the largest, as in λ₁ ≥ λ₂ ≥ …
     * @param iterations Hessian-vector products spent: power iterations on this eigenvalue, or
     *     Lanczos steps of the shared basis
     * @param converged whether the last relative change was within the tolerance, or the Lanczos
     *     basis spanned an invariant subspace
     * @param relativeChange |λ_t − λ_(t−1)| / |λ_t| at the last iteration, or null after a single
     *     iteration (JSON has no NaN)
     */
    public record Eigenvalue(int index, double value, int iterations, boolean converged, Double relativeChange) {

        public Eigenvalue {
            relativeChange = relativeChange == null || relativeChange.isNaN() ? null : relativeChange;
        }
    }

    /**
     * Hutchinson estimate tr(H) ≈ (1/m)·Σ_k z_kᵀ·H·z_k over m Rademacher vectors z_k (entries ±1).
     *
     * @param sampleStd standard deviation of the m values z_kᵀ·H·z_k with ddof 1, or null for m = 1
     * @param standardError sampleStd / √m, or null for m = 1
     * @param samples m
     */
    public record Trace(double mean, Double sampleStd, Double standardError, int samples) {

        public Trace {
            sampleStd = sampleStd == null || !Double.isFinite(sampleStd) ? null : sampleStd;
            standardError = standardError == null || !Double.isFinite(standardError) || sampleStd == null ? null
                    : standardError;
        }
    }

    /**
     * Spectral density of H by stochastic Lanczos quadrature.
     *
     * <p>Each start vector q gives a Gauss quadrature rule: nodes θ_j (the eigenvalues of its
     * Lanczos matrix T) and weights τ_j² (squared first components of T's eigenvectors), with
     * Σ_j τ_j²·f(θ_j) ≈ qᵀ·f(H)·q and Σ_j τ_j² = 1. The density averages the rules over the
     * start vectors and smooths each node with a Gaussian kernel:
     * <pre>
     *   ρ(λ) = (1/V)·Σ_v Σ_j τ_vj²·exp(−(λ − θ_vj)² / 2σ²) / (σ·√(2π)),   σ = (λ_max − λ_min) / 100
     * </pre>
     * over all nodes' range [λ_min, λ_max]. The grid has {@value HessianEstimator#DENSITY_GRID_POINTS}
     * points evenly spaced over [λ_min − 5σ, λ_max + 5σ], and the values are scaled so that their
     * trapezoid integral is 1. Its mean ∫λ·ρ(λ)dλ ≈ {@link #quadratureMean()} = (1/V)·Σ_v q_vᵀ·H·q_v,
     * an estimate of tr(H)/N.
     *
     * @param rules quadrature rule of each start vector
     * @param kernelWidth σ
     * @param grid eigenvalue grid points λ_g, ascending
     * @param values ρ(λ_g)
     */
    public record Density(List<QuadratureRule> rules, double kernelWidth, double[] grid, double[] values) {

        public Density {
            rules = List.copyOf(rules);
        }

        /** Computes (1/V)·Σ_v Σ_j τ_vj²·θ_vj, the mean of the unsmoothed density, an estimate of tr(H)/N. */
        public double quadratureMean() {
            double sum = 0;
            for (QuadratureRule rule : rules) {
                sum += rule.mean();
            }
            return sum / rules.size();
        }
    }

    /**
     * Gauss quadrature rule of one Lanczos start vector.
     *
     * @param nodes Ritz values θ_j, ascending
     * @param weights τ_j², summing to 1
     * @param steps Lanczos steps run, fewer than requested when the basis spanned an invariant
     *     subspace or reached N vectors
     */
    public record QuadratureRule(double[] nodes, double[] weights, int steps) {

        /** Computes Σ_j τ_j²·θ_j, which equals qᵀ·H·q for the rule's start vector q. */
        public double mean() {
            double sum = 0;
            for (int j = 0; j < nodes.length; j++) {
                sum += weights[j] * nodes[j];
            }
            return sum;
        }
    }
}
