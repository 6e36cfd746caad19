package io.flatnesslab.flatness;

/**
 * Settings of {@link KeskarSharpness}.
 *
 * @param epsilon ε, the relative half-width of the box |δ_i| ≤ ε·(|θ₀_i| + 1), finite and
 *     positive, {@link #DEFAULT_EPSILON} by default
 * @param iterations sign-gradient ascent steps from δ = 0, at least 0
 * @param stepSize η, each step's length per coordinate as a fraction of the half-width, in
 *     (0, 2]; η = 1 reaches a corner of the box in one step
 * @param batches number K of fixed minibatches, at least 1
 * @param batchSize examples per minibatch, at least 1; K·batchSize must not exceed the examples
 *     of the landscape, and one batch of all examples gives Keskar's full-data value
 * @param seed seed of the minibatch permutation
 */
public record KeskarSettings(double epsilon, int iterations, double stepSize, int batches, int batchSize,
        long seed) {

    /** Default ε. */
    public static final double DEFAULT_EPSILON = 1e-3;

    /**
     * Validates the settings.
     *
     * @throws IllegalArgumentException naming the first field out of range
     */
    public KeskarSettings {
        if (!(epsilon > 0) || Double.isInfinite(epsilon)) {
            throw new IllegalArgumentException("epsilon must be finite and positive, got " + epsilon);
        }
        if (iterations < 0) {
            throw new IllegalArgumentException("iterations must be at least 0, got " + iterations);
        }
        if (!(stepSize > 0 && stepSize <= 2)) {
            throw new IllegalArgumentException("stepSize must be in (0, 2], got " + stepSize);
        }
        if (batches < 1) {
            throw new IllegalArgumentException("batches must be at least 1, got " + batches);
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be at least 1, got " + batchSize);
        }
    }
}
