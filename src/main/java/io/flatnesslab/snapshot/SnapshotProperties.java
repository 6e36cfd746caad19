package io.flatnesslab.snapshot;

import java.nio.file.Path;

import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * Location of the snapshot files.
 *
 * @param directory folder of the DL4J model files of all snapshots; the database stores their
 *     metadata. It must survive restarts together with the database, so its default lies in the
 *     data directory
 */
@ConfigurationProperties("flatnesslab.snapshots")
@Validated
public record SnapshotProperties(@NotNull Path directory) {
}
