package io.flatnesslab.flatness;

/**
 * Observer of the evaluations a measure makes, for progress reports. A loss evaluation is one
 * forward pass over the measure's examples, a gradient evaluation one forward and one backward
 * pass (about three times the arithmetic).
 */
public interface EvaluationListener {

    /** Listener that ignores every event. */
    EvaluationListener NONE = new EvaluationListener() {
    };

    /** Called after each loss evaluation. */
    default void onLossEvaluation() {
    }

    /** Called after each gradient evaluation. */
    default void onGradientEvaluation() {
    }
}
