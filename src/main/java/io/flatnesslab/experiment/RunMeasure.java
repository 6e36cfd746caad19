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

/** One computed measure of one run and network variant, as a JSON document. */
@Entity
@Table(name = "run_measure")
class RunMeasure {

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
    private NetworkVariant variant;

    @Enumerated(EnumType.STRING)
    @Column(nullable = false, length = 32)
    private MeasureKind measure;

    @Lob
    @Column(name = "result_json", nullable = false)
    private String resultJson;

    @Column(name = "loss_evaluations", nullable = false)
    private long lossEvaluations;

    @Column(name = "gradient_evaluations", nullable = false)
    private long gradientEvaluations;

    @Column(nullable = false)
    private double seconds;

    @Column(name = "finished_at", nullable = false)
    private Instant finishedAt;

    protected RunMeasure() {
    }

    RunMeasure(Long experimentId, String groupKey, int runIndex, NetworkVariant variant, MeasureKind measure,
            String resultJson, long lossEvaluations, long gradientEvaluations, double seconds, Instant finishedAt) {
        this.experimentId = experimentId;
        this.groupKey = groupKey;
        this.runIndex = runIndex;
        this.variant = variant;
        this.measure = measure;
        this.resultJson = resultJson;
        this.lossEvaluations = lossEvaluations;
        this.gradientEvaluations = gradientEvaluations;
        this.seconds = seconds;
        this.finishedAt = finishedAt;
    }

    String getGroupKey() {
        return groupKey;
    }

    int getRunIndex() {
        return runIndex;
    }

    NetworkVariant getVariant() {
        return variant;
    }

    MeasureKind getMeasure() {
        return measure;
    }

    String getResultJson() {
        return resultJson;
    }

    long getLossEvaluations() {
        return lossEvaluations;
    }

    long getGradientEvaluations() {
        return gradientEvaluations;
    }

    double getSeconds() {
        return seconds;
    }
}
