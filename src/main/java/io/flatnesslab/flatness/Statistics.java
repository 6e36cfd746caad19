package io.flatnesslab.flatness;

/**
 * Summary statistics used in results: the mean and the population standard deviation
 * (ddof = 0, as numpy's {@code std} default), so numbers match a numpy notebook.
 */
public final class Statistics {

    private Statistics() {
    }

    /** Arithmetic mean; NaN for an empty array. */
    public static double mean(double[] values) {
        if (values.length == 0) {
            return Double.NaN;
        }
        double sum = 0;
        for (double value : values) {
            sum += value;
        }
        return sum / values.length;
    }

    /** Population standard deviation sqrt(Σ(x − mean)² / n); NaN for an empty array. */
    public static double populationStd(double[] values) {
        if (values.length == 0) {
            return Double.NaN;
        }
        double mean = mean(values);
        double squares = 0;
        for (double value : values) {
            squares += (value - mean) * (value - mean);
        }
        return Math.sqrt(squares / values.length);
    }
}
