package io.flatnesslab.experiment;

import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Positive;

/**
 * Worst-case sharpness: max of L_B(θ + δ) − L_B(θ) over ||δ||₂ ≤ ρ (adaptive: ||δ/|θ|||₂ ≤ ρ) by
 * projected gradient ascent, per fixed minibatch B, averaged over minibatches.
 *
 * @param radius ρ; default 0.05
 * @param adaptive constrain δ relative to |θ| elementwise; default false
 * @param iterations ascent steps per restart; default 10
 * @param stepSize step length as a fraction of ρ; default 0.5
 * @param restarts ascent runs per minibatch, the first from δ = 0; default 1
 * @param batches fixed minibatches; default 4
 * @param batchSize examples per minibatch; default trainSize / batches
 */
@Schema(description = "Worst-case sharpness by projected gradient ascent, cost batches × restarts × (iterations + 1) "
        + "gradient evaluations on batchSize examples")
public record WorstCaseSpec(
        @Schema(description = "Radius ρ of the ball of perturbations", defaultValue = "0.05") @Positive(message = "must be a positive finite number, e.g. 0.05") Double radius,
        @Schema(description = "Constrain ||δ/|θ|||₂ ≤ ρ instead of ||δ||₂ ≤ ρ (invariant to ReLU rescaling)", defaultValue = "false") Boolean adaptive,
        @Schema(description = "Projected gradient ascent steps per restart", defaultValue = "10") @Min(value = 1, message = "must be at least 1") @Max(value = 1000, message = "must be at most 1000") Integer iterations,
        @Schema(description = "Ascent step as a fraction of ρ, in (0, 2]", defaultValue = "0.5") @Positive(message = "must be a number in (0, 2], e.g. 0.5")
        @DecimalMax(value = "2.0", message = "must be a number in (0, 2], e.g. 0.5") Double stepSize,
        @Schema(description = "Ascent runs per minibatch; the first starts at δ = 0, the others at random points of the sphere", defaultValue = "1") @Min(value = 1, message = "must be at least 1") @Max(value = 20, message = "must be at most 20") Integer restarts,
        @Schema(description = "Fixed disjoint minibatches; the result is the mean over them", defaultValue = "4") @Min(value = 1, message = "must be at least 1") @Max(value = 100, message = "must be at most 100") Integer batches,
        @Schema(description = "Examples per minibatch; default trainSize / batches")
        @Min(value = 1, message = "must be at least 1") Integer batchSize) {

    public WorstCaseSpec {
        radius = radius == null ? 0.05 : radius;
        adaptive = adaptive == null ? Boolean.FALSE : adaptive;
        iterations = iterations == null ? 10 : iterations;
        stepSize = stepSize == null ? 0.5 : stepSize;
        restarts = restarts == null ? 1 : restarts;
        batches = batches == null ? 4 : batches;
    }

    /** Returns the minibatch size, defaulting to an equal share of the training subset. */
    int batchSizeFor(int trainSize) {
        return batchSize != null ? batchSize : Math.max(1, trainSize / batches);
    }
}
