package io.flatnesslab.flatness;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Scanner of the loss and accuracy on a grid through θ₀, along one direction (a slice) or in the
 * plane of two directions (a surface):
 * <pre>
 *   slice    L(α_i)      = L(θ₀ + α_i·d)              i = 1..m
 *   surface  L(α_i, β_j) = L(θ₀ + α_i·d1 + β_j·d2)    i = 1..m, j = 1..n
 * </pre>
 * The directions are used as given, so their scale sets the meaning of α and β: with a
 * {@link DirectionNormalization} other than GLOBAL, α = 1 is a step as long as θ₀ itself.
 *
 * <p>Cost: a slice takes m loss evaluations, a surface m·n, and neither takes gradient
 * evaluations. Memory: a slice needs 1 parameter-sized vector beyond θ₀ and the directions, a
 * surface 2. Every evaluation goes through the landscape, which counts it and polls for
 * cancellation, and the network is back at θ₀ when a scan returns or throws.
 */
public final class LandscapeScan {

    private LandscapeScan() {
    }

    /**
     * Loss and accuracy along one direction.
     *
     * @param loss L(θ₀ + alphas[i]·d) at index i
     * @param accuracy accuracy at the same points
     */
    public record SliceResult(double[] alphas, double[] loss, double[] accuracy) {
    }

    /**
     * Loss and accuracy in the plane of two directions.
     *
     * @param loss L(θ₀ + alphas[i]·d1 + betas[j]·d2) at [i][j]: one row per α
     * @param accuracy accuracy at the same points
     */
    public record SurfaceResult(double[] alphas, double[] betas, double[][] loss, double[][] accuracy) {
    }

    /** Receiver of each finished row of a surface, for progress reports. */
    @FunctionalInterface
    public interface RowListener {

        /** Listener that ignores every row. */
        RowListener NONE = (row, loss, accuracy) -> { };

        /**
         * Receives row {@code row}, the points at alphas[row], once it is evaluated. An exception
         * thrown here stops the scan and propagates to its caller.
         *
         * @param loss the row's losses by β index, which the listener must not modify
         * @param accuracy the row's accuracies by β index, which the listener must not modify
         */
        void onRow(int row, double[] loss, double[] accuracy);
    }

    /** Returns the number of loss evaluations of a slice with {@code points} values of α. */
    public static long plannedSliceEvaluations(int points) {
        return points;
    }

    /** Returns the number of loss evaluations of a surface of {@code rows} × {@code columns} points. */
    public static long plannedSurfaceEvaluations(int rows, int columns) {
        return (long) rows * columns;
    }

    /** Evaluates the loss and accuracy at θ₀ + α·{@code direction} for each α in {@code alphas}. */
    public static SliceResult slice(LossLandscape landscape, INDArray direction, double[] alphas) {
        checkLength("direction", direction, landscape);

        double[] loss = new double[alphas.length];
        double[] accuracy = new double[alphas.length];
        INDArray theta = landscape.newVector();
        try {
            for (int i = 0; i < alphas.length; i++) {
                moveAlong(theta, direction, alphas[i], landscape.origin());
                LossAccuracy at = landscape.evaluate(theta);
                loss[i] = at.loss();
                accuracy[i] = at.accuracy();
            }
        } finally {
            landscape.restore();
            theta.close();
        }
        return new SliceResult(alphas.clone(), loss, accuracy);
    }

    /**
     * Evaluates the loss and accuracy at θ₀ + α·{@code d1} + β·{@code d2} for each α in
     * {@code alphas} and β in {@code betas}, row by row.
     *
     * @param listener called after each row; it may throw to stop the scan
     */
    public static SurfaceResult surface(LossLandscape landscape, INDArray d1, INDArray d2, double[] alphas,
            double[] betas, RowListener listener) {
        checkLength("d1", d1, landscape);
        checkLength("d2", d2, landscape);

        double[][] loss = new double[alphas.length][betas.length];
        double[][] accuracy = new double[alphas.length][betas.length];
        INDArray rowOrigin = landscape.newVector();
        INDArray theta = landscape.newVector();
        try {
            for (int i = 0; i < alphas.length; i++) {
                // θ₀ + α_i·d1 is computed by the same operations as in slice(), so the
                // row at β = 0 reproduces the slice along d1 bit for bit.
                moveAlong(rowOrigin, d1, alphas[i], landscape.origin());
                for (int j = 0; j < betas.length; j++) {
                    moveAlong(theta, d2, betas[j], rowOrigin);
                    LossAccuracy at = landscape.evaluate(theta);
                    loss[i][j] = at.loss();
                    accuracy[i][j] = at.accuracy();
                }
                listener.onRow(i, loss[i], accuracy[i]);
            }
        } finally {
            landscape.restore();
            rowOrigin.close();
            theta.close();
        }
        return new SurfaceResult(alphas.clone(), betas.clone(), loss, accuracy);
    }

    /**
     * Returns {@code points} equally spaced values from {@code min} to {@code max}, both
     * included. Value i is min + i·(max − min)/(points − 1), and a value within
     * 1e−12·(max − min) of 0 is set to exactly 0.0. So a grid symmetric about 0 with an odd
     * number of points contains 0.0, and a slice over it reproduces the loss at θ₀.
     *
     * @param points at least 2
     */
    public static double[] centredGrid(double min, double max, int points) {
        if (points < 2) {
            throw new IllegalArgumentException("points " + points + " is invalid (a grid needs at least 2 points)");
        }
        if (!Double.isFinite(min) || !Double.isFinite(max) || !(min < max)) {
            throw new IllegalArgumentException("range [" + min + ", " + max
                    + "] is invalid (expected finite values with min < max)");
        }

        double width = max - min;
        double[] grid = new double[points];
        for (int i = 0; i < points; i++) {
            double value = min + i * width / (points - 1);
            grid[i] = Math.abs(value) < 1e-12 * width ? 0.0 : roundToTwelveDigits(value);
        }
        grid[points - 1] = max;
        return grid;
    }

    /**
     * Rounds to 12 significant digits, so that a grid from −1 to 1 in steps of 0.1 contains 0.3
     * and not 0.30000000000000004. The change is far below any loss difference it could cause.
     */
    private static double roundToTwelveDigits(double value) {
        return new BigDecimal(value).round(new MathContext(12, RoundingMode.HALF_EVEN)).doubleValue();
    }

    /** Writes {@code from} + {@code step}·{@code direction} into {@code theta}. */
    private static void moveAlong(INDArray theta, INDArray direction, double step, INDArray from) {
        theta.assign(direction.reshape(theta.shape())).muli(step).addi(from);
    }

    private static void checkLength(String name, INDArray direction, LossLandscape landscape) {
        if (direction.length() != landscape.parameterCount()) {
            throw new IllegalArgumentException(name + " has " + direction.length()
                    + " elements but the network has " + landscape.parameterCount() + " parameters");
        }
    }
}
