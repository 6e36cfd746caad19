package io.flatnesslab.snapshot;

import java.time.Instant;

/**
 * Metadata of a stored parameter snapshot.
 *
 * @param format {@code dl4j-model}: a zip file that {@code MultiLayerNetwork.load} opens
 * @param sizeBytes length of the stored file
 * @param sha256 hex SHA-256 of the stored file
 */
public record SnapshotInfo(long id, String format, long parameterCount, long sizeBytes, String sha256,
        Instant createdAt) {
}
