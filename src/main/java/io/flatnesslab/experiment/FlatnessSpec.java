package io.flatnesslab.experiment;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import io.flatnesslab.flatness.Precision;
import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.Size;

/**
 * Perturbations to measure.
 *
 * @param epsilons L2 norms of the perturbations; default [0.001, 0.005, 0.01, 0.05, 0.1]
 * @param directions random directions per run; default 5
 * @param twoSided also measure θ − ε·d (antithetic pairs); default false
 * @param precision FLOAT or DOUBLE evaluation of the losses; default FLOAT
 */
@Schema(description = "Perturbation norms and number of random directions")
public record FlatnessSpec(
        @Schema(description = "L2 norms of the perturbation", example = "[0.001, 0.005, 0.01, 0.05, 0.1]")
        @NotEmpty(message = "must list at least one perturbation norm, e.g. [0.01, 0.1]")
        @Size(max = 64, message = "must have at most 64 values")
        List<@NotNull(message = "must be a number") @Positive(message = "must be a positive finite number") Double> epsilons,
        @Schema(description = "Random directions per run", example = "5", defaultValue = "5")
        @Min(value = 1, message = "must be at least 1") @Max(value = 1000, message = "must be at most 1000") Integer directions,
        @Schema(description = "Also evaluate θ − ε·d and report the curvature part ½[L(θ+εd) + L(θ−εd)] − L(θ) and the "
                + "first-order part ½[L(θ+εd) − L(θ−εd)]", defaultValue = "false")
        Boolean twoSided,
        @Schema(description = "FLOAT or DOUBLE: type in which perturbed losses are computed; DOUBLE casts the trained "
                + "float32 parameters, it does not retrain", defaultValue = "FLOAT")
        Precision precision) {

    public FlatnessSpec {
        twoSided = twoSided == null ? Boolean.FALSE : twoSided;
        precision = precision == null ? Precision.FLOAT : precision;
        epsilons = epsilons == null ? List.of(0.001, 0.005, 0.01, 0.05, 0.1)
                : Collections.unmodifiableList(new ArrayList<>(epsilons));
        directions = directions == null ? 5 : directions;
    }

    static FlatnessSpec defaults() {
        return new FlatnessSpec(null, null, null, null);
    }
}
