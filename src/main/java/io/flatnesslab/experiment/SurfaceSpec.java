package io.flatnesslab.experiment;

import io.flatnesslab.flatness.DirectionNormalization;
import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

/**
 * 2D landscape surface: loss and accuracy at θ + α·d₁ + β·d₂ on a square grid, α and β both
 * from {@code min} to {@code max}.
 *
 * @param points grid points per axis including both ends; default 21, at most 51
 */
@Schema(description = "2D landscape surface: loss at θ + α·d1 + β·d2 on a points × points grid, cost points² loss "
        + "evaluations")
public record SurfaceSpec(
        @Schema(description = "First α and β of the grid", defaultValue = "-1") Double min,
        @Schema(description = "Last α and β of the grid", defaultValue = "1") Double max,
        @Schema(description = "Grid points per axis including both ends", defaultValue = "21") @Min(value = 3, message = "must be at least 3") @Max(value = 51, message = "must be at most 51") Integer points,
        @Schema(description = "Scaling of the two directions: GLOBAL, LAYER, FILTER or ELEMENTWISE", defaultValue = "FILTER") DirectionNormalization normalization,
        @Schema(description = "With FILTER, whether each neuron's bias is part of its filter", defaultValue = "true") Boolean filterBiases) {

    public SurfaceSpec {
        min = min == null ? -1.0 : min;
        max = max == null ? 1.0 : max;
        points = points == null ? 21 : points;
        normalization = normalization == null ? DirectionNormalization.FILTER : normalization;
        filterBiases = filterBiases == null ? Boolean.TRUE : filterBiases;
    }
}
