package io.flatnesslab.flatness;

/**
 * Scaling of a random direction d to the parameters θ it perturbs, applied to a draw
 * z ~ N(0, I) by {@link NormalizedDirections#fill}. A perturbation is then δ = ε·d.
 *
 * <p>Only {@link #GLOBAL} makes ε an absolute distance, ||δ||₂ = ε. The other three scale d
 * to θ, so ε is relative: ||ε·d||₂ ≈ ε·||θ||₂. This holds up to round-off for LAYER and for
 * FILTER with the biases in the filters, and in expectation over z for ELEMENTWISE. With this
 * relative ε, networks whose weights differ in scale become comparable.
 */
public enum DirectionNormalization {

    /** d = z / ||z||₂ over all parameters, the classic direction of unit norm. */
    GLOBAL,

    /**
     * d_l = z_l / ||z_l||₂ · ||θ_l||₂ for each layer l, where block l contains the layer's
     * weights W and bias b together.
     */
    LAYER,

    /**
     * d_f = z_f / ||z_f||₂ · ||θ_f||₂ for each filter f, the incoming weights W[:, j] of output
     * neuron j of a layer, plus its bias b_j when biases are included. Without biases the bias
     * entries of d are 0. This is the filter normalization of Li, Xu, Taylor, Studer and
     * Goldstein, "Visualizing the Loss Landscape of Neural Nets" (NeurIPS 2018), whose reference
     * code (github.com/tomgoldstein/loss-landscape) zeroes the bias entries with {@code --xignore biasbn}.
     */
    FILTER,

    /**
     * d_i = |θ_i|·z_i for each parameter i, with z not normalized, so δ_i = ε·|θ_i|·z_i and
     * E||δ||₂² = ε²·||θ||₂².
     */
    ELEMENTWISE
}
