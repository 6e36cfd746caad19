package io.flatnesslab.flatness;

/**
 * Loss increases of one trained network.
 *
 * @param baselineLoss L(θ), mean cross-entropy over the training data in inference mode
 * @param epsilons the perturbation norms, in the order of the first index of {@code increases}
 * @param increases {@code increases[e][k]} = L(θ + ε_e·d_k) − L(θ) for direction k
 */
public record FlatnessMeasurement(double baselineLoss, double[] epsilons, double[][] increases) {
}
