package io.flatnesslab.flatness;

/**
 * Settings of {@link WorstCaseSharpness}.
 *
 * @param radius ρ, the L2 radius of the perturbation ball (of δ, or of δ ⊘ |θ₀| when adaptive),
 *     finite and positive
 * @param adaptive whether the ball constrains δ ⊘ |θ₀| (adaptive sharpness) instead of δ
 * @param iterations projected gradient ascent steps per restart, at least 0
 * @param stepSize η, the length of each ascent step as a fraction of ρ, in (0, 2]
 * @param restarts ascents per minibatch, at least 1; restart 0 starts at δ = 0, the others at
 *     seeded random points of the sphere of radius ρ
 * @param batches number K of fixed minibatches, at least 1
 * @param batchSize examples per minibatch, at least 1; K·batchSize must not exceed the examples
 *     of the landscape, and one batch of all examples gives the full-batch value
 * @param seed seed of the minibatch permutation and of the random restarts
 */
public record WorstCaseSettings(double radius, boolean adaptive, int iterations, double stepSize, int restarts,
        int batches, int batchSize, long seed) {

    /**
     * Validates the settings.
     *
     * @throws IllegalArgumentException naming the first field out of range
     */
    public WorstCaseSettings {
        if (!(radius > 0) || Double.isInfinite(radius)) {
            throw new IllegalArgumentException("radius must be finite and positive, got " + radius);
        }
        if (iterations < 0) {
            throw new IllegalArgumentException("iterations must be at least 0, got " + iterations);
        }
        if (!(stepSize > 0 && stepSize <= 2)) {
            throw new IllegalArgumentException("stepSize must be in (0, 2], got " + stepSize);
        }
        if (restarts < 1) {
            throw new IllegalArgumentException("restarts must be at least 1, got " + restarts);
        }
        if (batches < 1) {
            throw new IllegalArgumentException("batches must be at least 1, got " + batches);
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be at least 1, got " + batchSize);
        }
    }
}
