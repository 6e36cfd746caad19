package io.flatnesslab.experiment;

/**
 * Planned evaluations of one measure: loss evaluations over {@code lossExamples} examples and
 * gradient evaluations over {@code gradientExamples} examples. A gradient evaluation (forward
 * and backward pass) costs about three times the arithmetic of a loss evaluation.
 */
public record MeasureCost(long lossEvaluations, long gradientEvaluations, int lossExamples, int gradientExamples) {

    public static final MeasureCost NONE = new MeasureCost(0, 0, 0, 0);

    public static MeasureCost losses(long evaluations, int examples) {
        return new MeasureCost(evaluations, 0, examples, 0);
    }

    /** Units of progress: one per loss or gradient evaluation. */
    public long units() {
        return lossEvaluations + gradientEvaluations;
    }

    /** Multiply-adds per parameter: examples per loss evaluation plus 3 × examples per gradient. */
    public double costPerParameter() {
        return (double) lossEvaluations * lossExamples + 3.0 * gradientEvaluations * gradientExamples;
    }
}
