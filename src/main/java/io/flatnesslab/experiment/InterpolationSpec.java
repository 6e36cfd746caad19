package io.flatnesslab.experiment;

import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

/**
 * Linear interpolation between consecutive runs r and r + 1 of each group: loss and accuracy
 * at (1 − t)·θ_r + t·θ_(r+1) for t on a grid, and the loss barrier on 0 ≤ t ≤ 1.
 *
 * @param min first t; default −0.5
 * @param max last t; default 1.5
 * @param points grid points including both ends; default 41
 * @param model id of a second imported model of the same architecture to interpolate to. It is
 *     required for an experiment that measures an imported model and rejected otherwise
 */
@Schema(description = "Linear interpolation between consecutive runs of each group, or from an imported model to a "
        + "second one (model), cost points + 2 loss evaluations per pair")
public record InterpolationSpec(
        @Schema(description = "First t; t = 0 is the first run, t = 1 the second", defaultValue = "-0.5") Double min,
        @Schema(description = "Last t", defaultValue = "1.5") Double max,
        @Schema(description = "Grid points including both ends", defaultValue = "41") @Min(value = 3, message = "must be at least 3") @Max(value = 401, message = "must be at most 401") Integer points,
        @Schema(description = "When measuring an imported model: id of a second imported model of the same "
                + "architecture to interpolate to", example = "null") Long model) {

    public InterpolationSpec {
        min = min == null ? -0.5 : min;
        max = max == null ? 1.5 : max;
        points = points == null ? 41 : points;
    }
}
