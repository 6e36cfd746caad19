package io.flatnesslab.flatness;

/**
 * Loss increases of one trained network.
 *
 * @param baselineLoss L(θ), mean cross-entropy over the training data in inference mode, in the
 *     measurement's precision
 * @param epsilons the perturbation norms, in the order of the first index of the arrays
 * @param increases {@code increases[e][k]} = L(θ + ε_e·d_k) − L(θ)
 * @param minusIncreases {@code minusIncreases[e][k]} = L(θ − ε_e·d_k) − L(θ), or null for a
 *     one-sided measurement
 * @param float32Loss L(θ) computed in float32
 * @param float64Loss L(θ) computed in float64 from the same float32 parameters; its distance to
 *     {@code float32Loss} estimates the float32 round-off of the loss at θ
 */
public record FlatnessMeasurement(double baselineLoss, double[] epsilons, double[][] increases,
        double[][] minusIncreases, double float32Loss, double float64Loss) {

    /** Returns |L_float32(θ) − L_float64(θ)|, the estimated float32 round-off of the loss. */
    public double float32RoundOff() {
        return Math.abs(float32Loss - float64Loss);
    }
}
