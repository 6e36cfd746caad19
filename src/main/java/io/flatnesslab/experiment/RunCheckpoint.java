package io.flatnesslab.experiment;

import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Lob;
import jakarta.persistence.Table;

/** Saved state of a run that has not finished: its last saved parameters and measured directions. */
@Entity
@Table(name = "run_checkpoint")
class RunCheckpoint {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;

    @Column(name = "experiment_id", nullable = false)
    private Long experimentId;

    @Column(name = "group_key", nullable = false, length = 64)
    private String groupKey;

    @Column(name = "run_index", nullable = false)
    private int runIndex;

    @Enumerated(EnumType.STRING)
    @Column(nullable = false, length = 16)
    private RunCheckpointState.Stage stage;

    @Column(name = "epochs_done", nullable = false)
    private int epochsDone;

    @Column(name = "reached_full_train_accuracy", nullable = false)
    private boolean reachedFullTrainAccuracy;

    /** Per-epoch mean loss and accuracy as a JSON array. */
    @Lob
    @Column(name = "epoch_history", nullable = false)
    private String epochHistory;

    @Column(name = "training_seconds", nullable = false)
    private double trainingSeconds;

    @Column(name = "snapshot_id", nullable = false)
    private Long snapshotId;

    /** Baseline losses and the increases of the directions measured so far, as JSON. */
    @Lob
    @Column(name = "measured_json")
    private String measuredJson;

    @Column(name = "updated_at", nullable = false)
    private Instant updatedAt;

    protected RunCheckpoint() {
    }

    RunCheckpoint(Long experimentId, String groupKey, int runIndex) {
        this.experimentId = experimentId;
        this.groupKey = groupKey;
        this.runIndex = runIndex;
    }

    String getGroupKey() {
        return groupKey;
    }

    int getRunIndex() {
        return runIndex;
    }

    RunCheckpointState.Stage getStage() {
        return stage;
    }

    int getEpochsDone() {
        return epochsDone;
    }

    boolean isReachedFullTrainAccuracy() {
        return reachedFullTrainAccuracy;
    }

    String getEpochHistory() {
        return epochHistory;
    }

    double getTrainingSeconds() {
        return trainingSeconds;
    }

    Long getSnapshotId() {
        return snapshotId;
    }

    String getMeasuredJson() {
        return measuredJson;
    }

    /** Points the checkpoint at new parameters and returns the id of the snapshot it replaces, or null. */
    Long saveParameters(RunCheckpointState.Stage newStage, int newEpochsDone, boolean full, String history,
            double seconds, long newSnapshotId, Instant now) {
        Long replaced = snapshotId == null || snapshotId == newSnapshotId ? null : snapshotId;
        stage = newStage;
        epochsDone = newEpochsDone;
        reachedFullTrainAccuracy = full;
        epochHistory = history;
        trainingSeconds = seconds;
        snapshotId = newSnapshotId;
        updatedAt = now;
        return replaced;
    }

    void saveMeasured(String json, Instant now) {
        measuredJson = json;
        updatedAt = now;
    }
}
