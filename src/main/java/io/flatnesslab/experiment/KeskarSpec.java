package io.flatnesslab.experiment;

import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Positive;

/**
 * Keskar et al.'s ε-sharpness: 100 · max [L(θ + δ) − L(θ)] / (1 + L(θ)) over the box
 * |δ_i| ≤ ε·(|θ_i| + 1), by projected sign-gradient ascent.
 *
 * @param epsilon box size ε; default 0.001
 * @param iterations ascent steps; default 10
 * @param stepSize step as a fraction of each coordinate's box half-width; default 0.5
 * @param batches fixed minibatches; default 1
 * @param batchSize examples per minibatch; default trainSize / batches
 */
@Schema(description = "Keskar et al. ε-sharpness, cost batches × (iterations + 1) gradient evaluations")
public record KeskarSpec(
        @Schema(description = "Box size ε: |δ_i| ≤ ε·(|θ_i| + 1)", defaultValue = "0.001") @Positive(message = "must be a positive finite number, e.g. 0.001") Double epsilon,
        @Schema(description = "Sign-gradient ascent steps", defaultValue = "10") @Min(value = 1, message = "must be at least 1") @Max(value = 1000, message = "must be at most 1000") Integer iterations,
        @Schema(description = "Ascent step as a fraction of each coordinate's box half-width, in (0, 2]", defaultValue = "0.5") @Positive(message = "must be a number in (0, 2], e.g. 0.5")
        @DecimalMax(value = "2.0", message = "must be a number in (0, 2], e.g. 0.5") Double stepSize,
        @Schema(description = "Fixed disjoint minibatches; the result is the mean over them", defaultValue = "1") @Min(value = 1, message = "must be at least 1") @Max(value = 100, message = "must be at most 100") Integer batches,
        @Schema(description = "Examples per minibatch; default trainSize / batches")
        @Min(value = 1, message = "must be at least 1") Integer batchSize) {

    public KeskarSpec {
        epsilon = epsilon == null ? 1e-3 : epsilon;
        iterations = iterations == null ? 10 : iterations;
        stepSize = stepSize == null ? 0.5 : stepSize;
        batches = batches == null ? 1 : batches;
    }

    /** Returns the minibatch size, defaulting to an equal share of the training subset. */
    int batchSizeFor(int trainSize) {
        return batchSize != null ? batchSize : Math.max(1, trainSize / batches);
    }
}
