package io.flatnesslab.flatness;

import java.util.List;

/**
 * PAC-Bayes flatness of one network.
 *
 * @param sigma the largest σ found whose mean error increase is at most the target, or
 *     sigmaMax or sigmaMin when not {@code bracketed}
 * @param inverseSigmaSquared 1/σ², the flatness measure (larger is sharper)
 * @param baselineError training classification error err(θ₀) = 1 − accuracy
 * @param errorIncreaseAtSigma mean over the samples of err(θ₀ + u) − err(θ₀) at {@code sigma}
 * @param bisection every σ evaluated with its mean error increase, in evaluation order: sigmaMin,
 *     sigmaMax, then the bisection midpoints
 * @param samples Monte Carlo draws per σ
 * @param bracketed false when the target lies outside [sigmaMin, sigmaMax]: the increase stays
 *     at most the target even at sigmaMax (sigma = sigmaMax), or exceeds it already at sigmaMin
 *     (sigma = sigmaMin)
 */
public record PacBayesResult(double sigma, double inverseSigmaSquared, double baselineError,
        double errorIncreaseAtSigma, boolean magnitudeAware, List<Step> bisection, int samples, boolean bracketed) {

    public PacBayesResult {
        bisection = List.copyOf(bisection);
    }

    /**
     * One evaluated σ.
     *
     * @param errorIncrease mean over the samples of err(θ₀ + u) − err(θ₀)
     */
    public record Step(double sigma, double errorIncrease) {
    }
}
