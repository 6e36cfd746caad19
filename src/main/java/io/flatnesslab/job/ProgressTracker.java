package io.flatnesslab.job;

import java.util.HashMap;
import java.util.Map;

import io.flatnesslab.experiment.ExperimentSpec;
import io.flatnesslab.experiment.GroupSpec;

/**
 * Counter of the units of work of one experiment and estimator of the time left.
 *
 * <p>A unit is one training epoch or one loss evaluation over the training subset. Every run
 * counts maxEpochs epochs (none for an imported model) and 2 + directions · |ε| · sides
 * evaluations (the baseline in float32 and in float64, then every perturbed loss). Units differ
 * in cost, so the estimate weighs them by arithmetic: an evaluation of a network with P
 * parameters on n examples costs about n·P multiply-adds and an epoch about 3·n·P (forward,
 * backward to the activations and to the weights). The remaining time is
 * <pre>
 *   seconds_remaining = (cost_total − cost_done) · elapsed / cost_worked
 * </pre>
 * where cost_worked counts only the units worked by this job since it started. Units restored
 * from a checkpoint and epochs skipped by an early stop are left out, so that work a resumed job
 * did not do does not shorten its estimate.
 */
final class ProgressTracker {

    private final Map<String, Plan> plans = new HashMap<>();

    private final long unitsTotal;

    private final double costTotal;

    private final long startedNanos = System.nanoTime();

    private long unitsDone;

    private double costDone;

    private double costWorked;

    /**
     * @param parameterCounts trainable parameters of each group's network, by group key
     * @param trains whether runs train (false when an imported model is measured)
     */
    ProgressTracker(ExperimentSpec spec, Map<String, Long> parameterCounts, boolean trains) {
        int epochs = trains ? spec.training().maxEpochs() : 0;
        int sides = spec.flatness().twoSided() ? 2 : 1;
        int evaluations = 2 + spec.flatness().directions() * spec.flatness().epsilons().size() * sides;
        long units = 0;
        double cost = 0;
        for (GroupSpec group : spec.groups()) {
            double evaluationCost = (double) spec.dataset().trainSize() * parameterCounts.get(group.key());
            Plan plan = new Plan(epochs, evaluations, 3 * evaluationCost, evaluationCost);
            plans.put(group.key(), plan);
            units += (long) spec.runsPerGroup() * (epochs + evaluations);
            cost += spec.runsPerGroup() * (epochs * plan.epochCost() + evaluations * plan.evaluationCost());
        }
        this.unitsTotal = units;
        this.costTotal = cost;
    }

    /** Counts every unit of a run stored before this job started. */
    void runRestored(String group) {
        Plan plan = plans.get(group);
        add(plan.epochs(), plan.epochCost(), false);
        add(plan.evaluations(), plan.evaluationCost(), false);
    }

    /** Counts epochs trained before this job started, or skipped by an early stop. */
    void epochsSkipped(String group, int epochs) {
        add(epochs, plans.get(group).epochCost(), false);
    }

    void epochTrained(String group) {
        add(1, plans.get(group).epochCost(), true);
    }

    /** Counts the evaluations of directions measured before this job started. */
    void evaluationsSkipped(String group, int evaluations) {
        add(evaluations, plans.get(group).evaluationCost(), false);
    }

    void evaluated(String group, int evaluations) {
        add(evaluations, plans.get(group).evaluationCost(), true);
    }

    long unitsDone() {
        return unitsDone;
    }

    long unitsTotal() {
        return unitsTotal;
    }

    /** Returns the estimated seconds left, or null until this job has worked a unit. */
    Long secondsRemaining() {
        double elapsed = (System.nanoTime() - startedNanos) / 1e9;
        if (costWorked <= 0 || elapsed <= 0) {
            return null;
        }
        return Math.round(Math.max(0, costTotal - costDone) * elapsed / costWorked);
    }

    private void add(int units, double unitCost, boolean worked) {
        unitsDone = Math.min(unitsTotal, unitsDone + units);
        costDone += units * unitCost;
        if (worked) {
            costWorked += units * unitCost;
        }
    }

    private record Plan(int epochs, int evaluations, double epochCost, double evaluationCost) {
    }
}
