package io.flatnesslab.experiment;

import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Lob;
import jakarta.persistence.Table;

/** Stored outcome of one training run of one group: training summary, baseline loss, snapshot. */
@Entity
@Table(name = "training_run")
class TrainingRun {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;

    @Column(name = "experiment_id", nullable = false)
    private Long experimentId;

    @Column(name = "group_key", nullable = false, length = 64)
    private String groupKey;

    @Column(name = "run_index", nullable = false)
    private int runIndex;

    @Column(name = "parameter_count", nullable = false)
    private long parameterCount;

    @Column(name = "epochs_trained", nullable = false)
    private int epochsTrained;

    @Column(name = "final_train_accuracy", nullable = false)
    private double finalTrainAccuracy;

    @Column(name = "reached_full_train_accuracy", nullable = false)
    private boolean reachedFullTrainAccuracy;

    /** Per-epoch mean loss and accuracy as a JSON array. */
    @Lob
    @Column(name = "epoch_history", nullable = false)
    private String epochHistory;

    @Column(name = "baseline_loss", nullable = false)
    private double baselineLoss;

    @Column(name = "training_seconds", nullable = false)
    private double trainingSeconds;

    @Column(name = "measuring_seconds", nullable = false)
    private double measuringSeconds;

    @Column(name = "snapshot_id")
    private Long snapshotId;

    /** L(θ) in float32; null for runs stored before it was recorded. */
    @Column(name = "float32_loss")
    private Double float32Loss;

    /** L(θ) in float64 from the same float32 parameters; null for runs stored before it was recorded. */
    @Column(name = "float64_loss")
    private Double float64Loss;

    @Column(name = "finished_at", nullable = false)
    private Instant finishedAt;

    protected TrainingRun() {
    }

    TrainingRun(Long experimentId, RunRecord record, String epochHistory, Instant finishedAt) {
        this.experimentId = experimentId;
        this.groupKey = record.groupKey();
        this.runIndex = record.runIndex();
        this.parameterCount = record.parameterCount();
        this.epochsTrained = record.training().epochsTrained();
        this.finalTrainAccuracy = record.training().finalTrainAccuracy();
        this.reachedFullTrainAccuracy = record.training().reachedFullTrainAccuracy();
        this.epochHistory = epochHistory;
        this.baselineLoss = record.measurement().baselineLoss();
        this.trainingSeconds = record.trainingSeconds();
        this.measuringSeconds = record.measuringSeconds();
        this.snapshotId = record.snapshotId();
        this.float32Loss = record.measurement().float32Loss();
        this.float64Loss = record.measurement().float64Loss();
        this.finishedAt = finishedAt;
    }

    Long getId() {
        return id;
    }

    Long getExperimentId() {
        return experimentId;
    }

    String getGroupKey() {
        return groupKey;
    }

    int getRunIndex() {
        return runIndex;
    }

    long getParameterCount() {
        return parameterCount;
    }

    int getEpochsTrained() {
        return epochsTrained;
    }

    double getFinalTrainAccuracy() {
        return finalTrainAccuracy;
    }

    boolean isReachedFullTrainAccuracy() {
        return reachedFullTrainAccuracy;
    }

    String getEpochHistory() {
        return epochHistory;
    }

    double getBaselineLoss() {
        return baselineLoss;
    }

    double getTrainingSeconds() {
        return trainingSeconds;
    }

    double getMeasuringSeconds() {
        return measuringSeconds;
    }

    Long getSnapshotId() {
        return snapshotId;
    }

    Double getFloat32Loss() {
        return float32Loss;
    }

    Double getFloat64Loss() {
        return float64Loss;
    }

    Instant getFinishedAt() {
        return finishedAt;
    }
}
