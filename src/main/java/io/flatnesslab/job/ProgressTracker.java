package io.flatnesslab.job;

import java.util.HashMap;
import java.util.Map;

import io.flatnesslab.experiment.ExperimentSpec;
import io.flatnesslab.experiment.GroupSpec;
import io.flatnesslab.experiment.MeasureCost;
import io.flatnesslab.experiment.MeasureKind;
import io.flatnesslab.experiment.MeasurePlan;

/**
 * Counter of the units of work of one experiment and estimator of the time left.
 *
 * <p>A unit is one training epoch, or one loss or gradient evaluation. Every run counts
 * maxEpochs epochs (none for an imported model), 2 + directions · |ε| · sides evaluations (the
 * baseline in float32 and in float64, then every perturbed loss), and the planned evaluations of
 * the further measures ({@link MeasurePlan}); every group adds those of its interpolations.
 * Units differ in cost, so the estimate weighs them by arithmetic. A loss evaluation of a
 * network with P parameters on n examples costs about n·P multiply-adds. A gradient evaluation
 * and an epoch cost about 3·n·P (forward, backward to the activations and to the weights). The
 * remaining time is
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
    ProgressTracker(ExperimentSpec spec, Map<String, Long> parameterCounts, boolean trains, int testSize) {
        int epochs = trains ? spec.training().maxEpochs() : 0;
        int sides = spec.flatness().twoSided() ? 2 : 1;
        int evaluations = 2 + spec.flatness().directions() * spec.flatness().epsilons().size() * sides;
        long measureUnits = 0;
        double measureCostPerParameter = 0;
        for (Map<MeasureKind, MeasureCost> variant : MeasurePlan.perRun(spec, testSize).values()) {
            for (MeasureCost cost : variant.values()) {
                measureUnits += cost.units();
                measureCostPerParameter += cost.costPerParameter();
            }
        }
        MeasureCost interpolations = MeasurePlan.interpolations(spec);

        long units = 0;
        double cost = 0;
        for (GroupSpec group : spec.groups()) {
            long parameters = parameterCounts.get(group.key());
            double evaluationCost = (double) spec.dataset().trainSize() * parameters;
            Plan plan = new Plan(epochs, evaluations, 3 * evaluationCost, evaluationCost, parameters, measureUnits,
                    measureCostPerParameter * parameters);
            plans.put(group.key(), plan);
            units += (long) spec.runsPerGroup() * (epochs + evaluations + measureUnits) + interpolations.units();
            cost += spec.runsPerGroup() * (epochs * plan.epochCost() + evaluations * plan.evaluationCost()
                    + plan.measureCost()) + interpolations.costPerParameter() * parameters;
        }
        this.unitsTotal = units;
        this.costTotal = cost;
    }

    /** Counts every unit of a run stored before this job started. */
    void runRestored(String group) {
        Plan plan = plans.get(group);
        add(plan.epochs(), plan.epochCost(), false);
        add(plan.evaluations(), plan.evaluationCost(), false);
        addTotal(plan.measureUnits(), plan.measureCost(), false);
    }

    /** Counts one loss or gradient evaluation of a further measure over {@code examples} examples. */
    void measureEvaluated(String group, int examples, boolean gradient) {
        Plan plan = plans.get(group);
        add(1, (gradient ? 3.0 : 1.0) * examples * plan.parameters(), true);
    }

    /**
     * Counts planned evaluations of a further measure that this job does not make: stored before
     * it started, or left over when an iterative measure converged early.
     */
    void measureSkipped(String group, long units, double costPerParameter) {
        addTotal(units, costPerParameter * plans.get(group).parameters(), false);
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
        addTotal(units, units * unitCost, worked);
    }

    private void addTotal(long units, double cost, boolean worked) {
        if (units <= 0) {
            return;
        }
        unitsDone = Math.min(unitsTotal, unitsDone + units);
        costDone += cost;
        if (worked) {
            costWorked += cost;
        }
    }

    /**
     * Units and cost of one run of a group.
     *
     * @param measureUnits planned evaluations of the further measures of one run
     * @param measureCost their cost in multiply-adds
     */
    private record Plan(int epochs, int evaluations, double epochCost, double evaluationCost, long parameters,
            long measureUnits, double measureCost) {
    }
}
