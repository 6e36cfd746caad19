package io.flatnesslab.flatness;

import java.util.List;

/**
 * Worst-case sharpness of one network, one value per fixed minibatch.
 *
 * @param radius ρ
 * @param adaptive whether the constraint was on δ ⊘ |θ₀| (adaptive sharpness)
 * @param mean mean over minibatches of S_ρ(B_b)
 * @param std sample standard deviation (ddof 1) of S_ρ(B_b) over minibatches; null for one
 *     minibatch, because JSON has no NaN
 * @param perBatch S_ρ(B_b) = max over the iterates of L_B(θ₀ + δ) − L_B(θ₀), by minibatch
 * @param baselinePerBatch L_B(θ₀), by minibatch
 */
public record WorstCaseResult(double radius, boolean adaptive, double mean, Double std, List<Double> perBatch,
        List<Double> baselinePerBatch, int iterations, int restarts) {

    public WorstCaseResult {
        perBatch = List.copyOf(perBatch);
        baselinePerBatch = List.copyOf(baselinePerBatch);
    }
}
