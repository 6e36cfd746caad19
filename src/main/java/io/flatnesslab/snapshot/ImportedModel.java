package io.flatnesslab.snapshot;

import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** A model imported from a safetensors file, with the snapshot that contains its parameters. */
@Entity
@Table(name = "imported_model")
class ImportedModel {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;

    @Column(nullable = false, length = 200)
    private String name;

    @Column(name = "input_size", nullable = false)
    private int inputSize;

    /** Hidden layer widths, comma-separated. */
    @Column(name = "hidden_layers", nullable = false, length = 1000)
    private String hiddenLayers;

    @Column(name = "class_count", nullable = false)
    private int classCount;

    @Column(name = "parameter_count", nullable = false)
    private long parameterCount;

    @Column(name = "source_dtype", nullable = false, length = 8)
    private String sourceDtype;

    @Column(name = "source_size_bytes", nullable = false)
    private long sourceSizeBytes;

    @Column(name = "source_sha256", nullable = false, length = 64)
    private String sourceSha256;

    @Column(name = "snapshot_id", nullable = false)
    private Long snapshotId;

    @Column(name = "created_at", nullable = false)
    private Instant createdAt;

    protected ImportedModel() {
    }

    ImportedModel(String name, MlpLayout layout, String sourceDtype, long sourceSizeBytes, String sourceSha256,
            long snapshotId, Instant createdAt) {
        this.name = name;
        this.inputSize = layout.inputSize();
        this.hiddenLayers = layout.hiddenLayers().stream().map(String::valueOf).collect(Collectors.joining(","));
        this.classCount = layout.classCount();
        this.parameterCount = layout.parameterCount();
        this.sourceDtype = sourceDtype;
        this.sourceSizeBytes = sourceSizeBytes;
        this.sourceSha256 = sourceSha256;
        this.snapshotId = snapshotId;
        this.createdAt = createdAt;
    }

    ModelInfo toInfo() {
        List<Integer> hidden = hiddenLayers.isEmpty() ? List.of()
                : Arrays.stream(hiddenLayers.split(",")).map(Integer::valueOf).toList();
        MlpLayout layout = new MlpLayout(inputSize, hidden, classCount);
        return new ModelInfo(id, name, layout.describe(), inputSize, hidden, classCount, parameterCount, sourceDtype,
                sourceSizeBytes, sourceSha256, snapshotId, createdAt);
    }
}
