package io.flatnesslab.experiment;

import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.Valid;

/**
 * Measurement settings for an imported model. Absent fields take the classic defaults.
 *
 * @param seed seed of the subset and direction streams; default 0
 */
@Schema(description = "Dataset and flatness settings for measuring an imported model", example = "{}")
public record ModelFlatnessRequest(Long seed, @Valid DatasetSpec dataset, @Valid FlatnessSpec flatness) {
}
