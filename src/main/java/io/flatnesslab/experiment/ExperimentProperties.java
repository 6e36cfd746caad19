package io.flatnesslab.experiment;

import java.time.Duration;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * Limits applied to submitted experiments.
 *
 * @param maxParameters largest model, in trainable parameters, a spec may contain. The
 *     default of 50 million admits the classic 784-5000-5000-10 model (28,980,010
 *     parameters)
 * @param maxQueued most experiments that may wait in the queue; a submission beyond it gets
 *     429 Too Many Requests with Retry-After
 * @param retryAfter Retry-After sent with that 429 when no running experiment has an estimate
 *     of its remaining time
 * @param maxWorkUnits most example passes one experiment may take: runs · (maxEpochs + 2 +
 *     |ε| · directions · sides) · trainSize, sides being 2 for a two-sided measurement and 2
 *     counting the float32 and float64 baselines. The classic experiment takes
 *     9 · (30 + 2 + 25) · 1000 = 513,000. It does not depend on the network's size, which
 *     {@code maxParameters} bounds
 * @param maxJobMemory most off-heap memory one experiment's largest network may need by
 *     {@link JobMemory#estimateBytes}; unset means the physical memory minus the maximum heap
 */
@ConfigurationProperties("flatnesslab.experiments")
@Validated
public record ExperimentProperties(
        @Min(1) @DefaultValue("50000000") long maxParameters,
        @Min(0) @Max(1_000_000) @DefaultValue("100") int maxQueued,
        @NotNull @DefaultValue("60s") Duration retryAfter,
        @Min(1) @DefaultValue("100000000") long maxWorkUnits,
        DataSize maxJobMemory) {
}
