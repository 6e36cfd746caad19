package io.flatnesslab.flatness;

/**
 * Observer of a running flatness measurement, for progress reports and for saving each
 * direction as soon as it is measured. A method may end the measurement by throwing; the
 * parameters are restored all the same.
 */
public interface MeasurementListener {

    /** Listener that ignores every event. */
    MeasurementListener NONE = new MeasurementListener() {
    };

    /** Receives L(θ) in the measurement's precision, and in float32 and float64. */
    default void onBaseline(double baseline, double float32Loss, double float64Loss) {
    }

    /** Called after the loss evaluations of direction {@code k} at ε number {@code epsilonIndex}. */
    default void onEvaluation(int k, int epsilonIndex) {
    }

    /** Receives the increases of a direction measured now (not one measured before). */
    default void onDirection(int k, DirectionIncreases increases) {
    }
}
