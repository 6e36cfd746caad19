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

/** Stored experiment: its resolved spec as JSON, status, progress and timestamps. */
@Entity
@Table(name = "experiment")
class Experiment {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;

    @Enumerated(EnumType.STRING)
    @Column(nullable = false, length = 16)
    private ExperimentStatus status;

    @Lob
    @Column(name = "spec_json", nullable = false)
    private String specJson;

    @Column(name = "runs_total", nullable = false)
    private int runsTotal;

    @Column(name = "runs_done", nullable = false)
    private int runsDone;

    @Column(length = 32)
    private String phase;

    @Column(name = "current_group", length = 64)
    private String currentGroup;

    @Column(name = "current_run")
    private Integer currentRun;

    @Column(name = "current_epoch")
    private Integer currentEpoch;

    @Column(name = "cancel_requested", nullable = false)
    private boolean cancelRequested;

    /** Dataset indices of the training subset, comma-separated, in training order. */
    @Lob
    @Column(name = "train_indices")
    private String trainIndices;

    /** Random labels of the training subset, comma-separated, or null without RANDOM groups. */
    @Lob
    @Column(name = "random_labels")
    private String randomLabels;

    @Column(name = "failure_reason", length = 4000)
    private String failureReason;

    @Column(name = "created_at", nullable = false)
    private Instant createdAt;

    @Column(name = "started_at")
    private Instant startedAt;

    @Column(name = "finished_at")
    private Instant finishedAt;

    protected Experiment() {
    }

    Experiment(String specJson, int runsTotal, Instant createdAt) {
        this.status = ExperimentStatus.QUEUED;
        this.specJson = specJson;
        this.runsTotal = runsTotal;
        this.phase = "QUEUED";
        this.createdAt = createdAt;
    }

    Long getId() {
        return id;
    }

    ExperimentStatus getStatus() {
        return status;
    }

    String getSpecJson() {
        return specJson;
    }

    int getRunsTotal() {
        return runsTotal;
    }

    int getRunsDone() {
        return runsDone;
    }

    String getPhase() {
        return phase;
    }

    String getCurrentGroup() {
        return currentGroup;
    }

    Integer getCurrentRun() {
        return currentRun;
    }

    Integer getCurrentEpoch() {
        return currentEpoch;
    }

    boolean isCancelRequested() {
        return cancelRequested;
    }

    String getTrainIndices() {
        return trainIndices;
    }

    String getRandomLabels() {
        return randomLabels;
    }

    String getFailureReason() {
        return failureReason;
    }

    Instant getCreatedAt() {
        return createdAt;
    }

    Instant getStartedAt() {
        return startedAt;
    }

    Instant getFinishedAt() {
        return finishedAt;
    }

    void start(Instant now) {
        status = ExperimentStatus.RUNNING;
        phase = "PREPARING_DATA";
        startedAt = now;
    }

    void progress(String newPhase, String group, Integer run, Integer epoch) {
        phase = newPhase;
        currentGroup = group;
        currentRun = run;
        currentEpoch = epoch;
    }

    void recordTrainingData(String indices, String labels) {
        trainIndices = indices;
        randomLabels = labels;
    }

    void runFinished() {
        runsDone++;
    }

    void requestCancel() {
        cancelRequested = true;
    }

    void finish(ExperimentStatus finalStatus, String reason, Instant now) {
        status = finalStatus;
        failureReason = reason;
        phase = finalStatus.name();
        finishedAt = now;
        currentEpoch = null;
    }
}
