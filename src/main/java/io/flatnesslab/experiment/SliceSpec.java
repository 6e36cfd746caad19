package io.flatnesslab.experiment;

import io.flatnesslab.flatness.DirectionNormalization;
import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

/**
 * 1D landscape slice: loss and accuracy at θ + α·d for α on a grid, per direction d.
 *
 * @param directions number of random directions, each with its own slice; default 1
 * @param min first α; default −1
 * @param max last α; default 1
 * @param points grid points including both ends; default 51
 * @param normalization scaling of each direction; default FILTER
 * @param filterBiases with FILTER, whether a neuron's bias belongs to its filter (true) or
 *     is left unperturbed (false); default true
 */
@Schema(description = "1D landscape slice: loss and accuracy at θ + α·d on a grid of α, cost directions × points loss "
        + "evaluations")
public record SliceSpec(
        @Schema(description = "Random directions, one slice each", defaultValue = "1") @Min(value = 1, message = "must be at least 1") @Max(value = 20, message = "must be at most 20") Integer directions,
        @Schema(description = "First α of the grid", defaultValue = "-1") Double min,
        @Schema(description = "Last α of the grid", defaultValue = "1") Double max,
        @Schema(description = "Grid points including both ends", defaultValue = "51") @Min(value = 3, message = "must be at least 3") @Max(value = 401, message = "must be at most 401") Integer points,
        @Schema(description = "Scaling of the directions: GLOBAL, LAYER, FILTER or ELEMENTWISE", defaultValue = "FILTER") DirectionNormalization normalization,
        @Schema(description = "With FILTER, whether each neuron's bias is part of its filter (false leaves biases unperturbed)", defaultValue = "true") Boolean filterBiases) {

    public SliceSpec {
        directions = directions == null ? 1 : directions;
        min = min == null ? -1.0 : min;
        max = max == null ? 1.0 : max;
        points = points == null ? 51 : points;
        normalization = normalization == null ? DirectionNormalization.FILTER : normalization;
        filterBiases = filterBiases == null ? Boolean.TRUE : filterBiases;
    }
}
