package io.flatnesslab.flatness;

/**
 * Summary statistics used in results.
 *
 * <p>Spreads are population standard deviations (ddof = 0, numpy's {@code std} default), so
 * numbers match a numpy notebook. Standard errors use the sample standard deviation (ddof = 1):
 * SE = s/√n. A mean is distinguishable from zero at 95 % when |mean| > t·SE, with t the 97.5 %
 * quantile of Student's t distribution with n − 1 degrees of freedom.
 */
public final class Statistics {

    /** 97.5 % quantiles of Student's t for 1 to 30 degrees of freedom. */
    private static final double[] T_975 = {
            12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
            2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
            2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042};

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

    /** Standard error of the mean s/√n with s the sample std (ddof 1); NaN for fewer than 2 values. */
    public static double standardError(double[] values) {
        if (values.length < 2) {
            return Double.NaN;
        }
        double n = values.length;
        return populationStd(values) * Math.sqrt(n / (n - 1)) / Math.sqrt(n);
    }

    /** 97.5 % quantile of Student's t with {@code degrees} degrees of freedom (1.96 above 30). */
    public static double tQuantile975(int degrees) {
        if (degrees < 1) {
            throw new IllegalArgumentException("degrees of freedom must be at least 1, got " + degrees);
        }
        return degrees <= T_975.length ? T_975[degrees - 1] : 1.96;
    }

    /**
     * Returns whether the mean differs from zero at 95 % (two-sided t test), or null for fewer
     * than 2 values or a zero standard error.
     */
    public static Boolean distinguishableFromZero(double[] values) {
        double error = standardError(values);
        if (Double.isNaN(error)) {
            return null;
        }
        double mean = mean(values);
        if (error == 0) {
            return mean != 0 ? Boolean.TRUE : Boolean.FALSE;
        }
        return Math.abs(mean) > tQuantile975(values.length - 1) * error;
    }
}
