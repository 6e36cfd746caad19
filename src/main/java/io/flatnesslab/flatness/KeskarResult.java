package io.flatnesslab.flatness;

import java.util.List;

/**
 * Keskar ε-sharpness of one network. With one minibatch of all examples the fields are
 * Keskar's full-data values. With several minibatches, each field is the mean over them.
 *
 * @param epsilon ε
 * @param sharpness φ = 100·maxIncrease / (1 + baselineLoss), in percent; the mean of
 *     {@code perBatch}
 * @param maxIncrease max over the iterates of L_B(θ₀ + δ) − L_B(θ₀), mean over minibatches
 * @param baselineLoss L_B(θ₀), mean over minibatches
 * @param perBatch φ of each minibatch
 * @param iterations ascent steps per minibatch
 */
public record KeskarResult(double epsilon, double sharpness, double maxIncrease, double baselineLoss,
        List<Double> perBatch, int iterations) {

    public KeskarResult {
        perBatch = List.copyOf(perBatch);
    }
}
