package io.flatnesslab.job;

import java.time.Duration;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Settings of the experiment executor.
 *
 * @param concurrency experiments run at the same time. Default 1, because one training job
 *     already uses every core through OpenBLAS and ND4J's OpenMP threads
 * @param shutdownTimeout how long shutdown waits for running experiments to notice the stop
 *     and record it
 */
@ConfigurationProperties("flatnesslab.jobs")
@Validated
public record JobProperties(
        @Min(1) @Max(64) @DefaultValue("1") int concurrency,
        @NotNull @DefaultValue("30s") Duration shutdownTimeout) {
}
