package io.flatnesslab.experiment;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** One measured loss increase L(θ + ε·d) − L(θ) of one run, at one ε along one direction. */
@Entity
@Table(name = "flatness_result")
class FlatnessResult {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;

    @Column(name = "run_id", nullable = false)
    private Long runId;

    @Column(name = "epsilon_index", nullable = false)
    private int epsilonIndex;

    @Column(nullable = false)
    private double epsilon;

    @Column(name = "direction_index", nullable = false)
    private int directionIndex;

    @Column(name = "loss_increase", nullable = false)
    private double lossIncrease;

    /** L(θ − ε·d) − L(θ) of a two-sided measurement, else null. */
    @Column(name = "minus_increase")
    private Double minusIncrease;

    protected FlatnessResult() {
    }

    FlatnessResult(Long runId, int epsilonIndex, double epsilon, int directionIndex, double lossIncrease,
            Double minusIncrease) {
        this.minusIncrease = minusIncrease;
        this.runId = runId;
        this.epsilonIndex = epsilonIndex;
        this.epsilon = epsilon;
        this.directionIndex = directionIndex;
        this.lossIncrease = lossIncrease;
    }

    Long getRunId() {
        return runId;
    }

    int getEpsilonIndex() {
        return epsilonIndex;
    }

    double getEpsilon() {
        return epsilon;
    }

    int getDirectionIndex() {
        return directionIndex;
    }

    double getLossIncrease() {
        return lossIncrease;
    }

    Double getMinusIncrease() {
        return minusIncrease;
    }
}
