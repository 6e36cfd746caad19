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
 * @param shutdownTimeout how long shutdown waits for running experiments to finish their
 *     current epoch or direction and save it. A job still running then is interrupted, and
 *     continues from its previous saved unit at the next start
 * @param checkpointInterval least time between two saves of the parameters of a run in
 *     training. Each save writes the whole model (116 MB for 784-5000-5000-10), so saving every
 *     epoch would slow training; a crash repeats at most this much training
 * @param maxRecoveries an experiment found RUNNING at start (its process died) is marked
 *     FAILED once this many recoveries in a row find it no further than the recovery before, so
 *     that an experiment that kills the process at the same point cannot crash every start,
 *     while one that moves on between kills is never failed
 */
@ConfigurationProperties("flatnesslab.jobs")
@Validated
public record JobProperties(
        @Min(1) @Max(64) @DefaultValue("1") int concurrency,
        @NotNull @DefaultValue("30s") Duration shutdownTimeout,
        @NotNull @DefaultValue("5m") Duration checkpointInterval,
        @Min(0) @Max(100) @DefaultValue("3") int maxRecoveries) {
}
