package io.flatnesslab.experiment;

import jakarta.validation.constraints.Min;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Limits applied to submitted experiments.
 *
 * @param maxParameters largest model, in trainable parameters, a spec may contain. The
 *     default of 50 million admits the classic 784-5000-5000-10 model (28,980,010
 *     parameters). A model needs about five float32 copies of its parameters while it is
 *     measured (parameters, gradients, original, direction, serialization), so 50 million
 *     parameters need about 1 GB off-heap
 */
@ConfigurationProperties("flatnesslab.experiments")
@Validated
public record ExperimentProperties(@Min(1) @DefaultValue("50000000") long maxParameters) {
}
