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

    @Column(length = 48)
    private String phase;

    @Column(name = "current_group", length = 64)
    private String currentGroup;

    @Column(name = "current_run")
    private Integer currentRun;

    @Column(name = "current_epoch")
    private Integer currentEpoch;

    @Column(name = "current_direction")
    private Integer currentDirection;

    @Column(name = "current_epsilon_index")
    private Integer currentEpsilonIndex;

    @Column(name = "units_done", nullable = false)
    private long unitsDone;

    @Column(name = "units_total", nullable = false)
    private long unitsTotal;

    @Column(name = "seconds_remaining")
    private Long secondsRemaining;

    @Column(name = "cancel_requested", nullable = false)
    private boolean cancelRequested;

    /** How often a start found this experiment RUNNING, which means the process running it died. */
    @Column(name = "resume_count", nullable = false)
    private int recoveries;

    /** Recoveries in a row that found no more units done than the recovery before. */
    @Column(name = "stalled_recoveries", nullable = false)
    private int stalledRecoveries;

    /** Units done when the experiment was last recovered, or null before its first recovery. */
    @Column(name = "units_at_recovery")
    private Long unitsAtRecovery;

    @Column(name = "idempotency_key", length = 200)
    private String idempotencyKey;

    /** Hex SHA-256 of the resolved spec JSON, to tell a repeated request from a different one. */
    @Column(name = "spec_sha256", length = 64)
    private String specSha256;

    /** Dataset indices of the training subset, comma-separated, in training order. */
    @Lob
    @Column(name = "train_indices")
    private String trainIndices;

    /** Random labels of the training subset, comma-separated, or null without RANDOM groups. */
    @Lob
    @Column(name = "random_labels")
    private String randomLabels;

    /** Dataset indices of the held-out test split, comma-separated, or null without one. */
    @Lob
    @Column(name = "test_indices")
    private String testIndices;

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

    Experiment(String specJson, String specSha256, String idempotencyKey, int runsTotal, Instant createdAt) {
        this.status = ExperimentStatus.QUEUED;
        this.specJson = specJson;
        this.specSha256 = specSha256;
        this.idempotencyKey = idempotencyKey;
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

    Integer getCurrentDirection() {
        return currentDirection;
    }

    Integer getCurrentEpsilonIndex() {
        return currentEpsilonIndex;
    }

    long getUnitsDone() {
        return unitsDone;
    }

    long getUnitsTotal() {
        return unitsTotal;
    }

    Long getSecondsRemaining() {
        return secondsRemaining;
    }

    int getRecoveries() {
        return recoveries;
    }

    String getSpecSha256() {
        return specSha256;
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

    /** Marks the experiment RUNNING; a resumed experiment keeps its first start time. */
    void start(Instant now) {
        status = ExperimentStatus.RUNNING;
        phase = "PREPARING_DATA";
        if (startedAt == null) {
            startedAt = now;
        }
    }

    void progress(ProgressUpdate update) {
        phase = update.phase();
        currentGroup = update.group();
        currentRun = update.run();
        currentEpoch = update.epoch();
        currentDirection = update.direction();
        currentEpsilonIndex = update.epsilonIndex();
        unitsDone = update.unitsDone();
        unitsTotal = update.unitsTotal();
        secondsRemaining = update.secondsRemaining();
    }

    /** Puts a RUNNING experiment back in the queue, to continue from its saved units. */
    void suspend() {
        status = ExperimentStatus.QUEUED;
        phase = "SUSPENDED";
        currentEpoch = null;
        currentDirection = null;
        currentEpsilonIndex = null;
        secondsRemaining = null;
    }

    /** Sets the units of the whole experiment, known from the spec before it starts. */
    void planUnits(long total) {
        unitsTotal = total;
    }

    /**
     * Counts one recovery of an experiment that a dead process left RUNNING, re-queues it, and
     * returns how many recoveries in a row found it no further than the one before.
     */
    int recover() {
        recoveries++;
        boolean progressed = unitsAtRecovery == null || unitsDone > unitsAtRecovery;
        stalledRecoveries = progressed ? 0 : stalledRecoveries + 1;
        unitsAtRecovery = unitsDone;
        suspend();
        return stalledRecoveries;
    }

    void recordTrainingData(String indices, String labels, String test) {
        trainIndices = indices;
        randomLabels = labels;
        testIndices = test;
    }

    String getTestIndices() {
        return testIndices;
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
        currentDirection = null;
        currentEpsilonIndex = null;
        secondsRemaining = null;
        if (finalStatus == ExperimentStatus.SUCCEEDED) {
            unitsDone = unitsTotal;
        }
    }
}
