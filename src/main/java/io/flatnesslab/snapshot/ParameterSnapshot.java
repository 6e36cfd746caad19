package io.flatnesslab.snapshot;

import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/**
 * Metadata of a stored snapshot. The model file itself lies in the snapshot directory under
 * {@code file_name}; {@link SnapshotStore} streams it, so loading this entity never loads the
 * model into the heap.
 */
@Entity
@Table(name = "parameter_snapshot")
class ParameterSnapshot {

    @Id
    private Long id;

    @Column(nullable = false, length = 32)
    private String format;

    @Column(name = "parameter_count", nullable = false)
    private long parameterCount;

    @Column(name = "size_bytes", nullable = false)
    private long sizeBytes;

    @Column(nullable = false, length = 64)
    private String sha256;

    @Column(name = "created_at", nullable = false)
    private Instant createdAt;

    protected ParameterSnapshot() {
    }

    SnapshotInfo toInfo() {
        return new SnapshotInfo(id, format, parameterCount, sizeBytes, sha256, createdAt);
    }
}
