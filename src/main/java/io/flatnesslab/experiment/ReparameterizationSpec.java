package io.flatnesslab.experiment;

import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Positive;

/**
 * Reparameterization check: every requested measure is repeated on the network with layer
 * {@code layer}'s weights and bias multiplied by α and layer {@code layer + 1}'s weights divided
 * by α. ReLU is positively homogeneous, so the rescaled network computes the same function, and
 * a measure that changes is not invariant to this rescaling.
 *
 * @param layer 0-based index of the linear layer scaled by α; it must have a following layer; default 0
 * @param alpha scale factor; default 10
 */
@Schema(description = "Repeat every measure on an equivalent rescaled network: layer × α, next layer's weights ÷ α")
public record ReparameterizationSpec(
        @Schema(description = "0-based linear layer multiplied by α; the next layer's weights are divided by α", defaultValue = "0") @Min(value = 0, message = "must be at least 0") Integer layer,
        @Schema(description = "Scale factor α, from 0.001 to 1000", defaultValue = "10") @Positive(message = "must be a positive finite number, e.g. 10") Double alpha) {

    public ReparameterizationSpec {
        layer = layer == null ? 0 : layer;
        alpha = alpha == null ? 10.0 : alpha;
    }
}
