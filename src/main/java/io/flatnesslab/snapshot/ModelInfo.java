package io.flatnesslab.snapshot;

import java.time.Instant;
import java.util.List;

import io.swagger.v3.oas.annotations.media.Schema;

/**
 * An imported model as the API returns it.
 *
 * @param architecture layer widths joined by '-', e.g. {@code 784-64-64-10}
 * @param sourceDtype dtype of the uploaded tensors (F32 or F16); stored parameters are float32
 * @param sourceSha256 hex SHA-256 of the uploaded file
 * @param snapshotId id of the stored float32 parameters
 */
@Schema(description = "A model imported from a safetensors file")
public record ModelInfo(long id, String name, String architecture, int inputSize, List<Integer> hiddenLayers,
        int classCount, long parameterCount, String sourceDtype, long sourceSizeBytes, String sourceSha256,
        long snapshotId, Instant createdAt) {
}
