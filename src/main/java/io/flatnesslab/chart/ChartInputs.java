package io.flatnesslab.chart;

/**
 * Checks of the plain arrays that the landscape charts take. Each check throws
 * IllegalArgumentException with a message that names the argument and, for arrays, the index.
 */
final class ChartInputs {

    /** Largest image width, as the flatness chart endpoint accepts. With MAX_HEIGHT it bounds one ARGB image to 48 MB. */
    static final int MAX_WIDTH = 4000;

    static final int MAX_HEIGHT = 3000;

    static final int MIN_WIDTH = 200;

    static final int MIN_HEIGHT = 150;

    /**
     * Relative tolerance on the grid spacing of a heatmap axis. It admits axes computed in float32
     * (about 1e-7 relative error) and rejects grids that are visibly uneven.
     */
    private static final double SPACING_TOLERANCE = 1e-3;

    private ChartInputs() {
    }

    static void requireNonNull(String name, Object value) {
        if (value == null) {
            throw new IllegalArgumentException(name + " must not be null");
        }
    }

    static void requireImageSize(int width, int height) {
        if (width < MIN_WIDTH || width > MAX_WIDTH) {
            throw new IllegalArgumentException("width must be between " + MIN_WIDTH + " and " + MAX_WIDTH
                    + " pixels; got " + width);
        }
        if (height < MIN_HEIGHT || height > MAX_HEIGHT) {
            throw new IllegalArgumentException("height must be between " + MIN_HEIGHT + " and " + MAX_HEIGHT
                    + " pixels; got " + height);
        }
    }

    /** Requires at least two finite, strictly increasing values. */
    static void requireAxis(String name, double[] values) {
        requireNonNull(name, values);
        if (values.length < 2) {
            throw new IllegalArgumentException(name + " must have at least 2 points; got " + values.length);
        }
        for (int i = 0; i < values.length; i++) {
            if (!Double.isFinite(values[i])) {
                throw new IllegalArgumentException(name + "[" + i + "] is " + values[i] + "; axis values must be finite");
            }
            if (i > 0 && values[i] <= values[i - 1]) {
                throw new IllegalArgumentException(name + " must be strictly increasing; " + name + "[" + i + "] = "
                        + values[i] + " follows " + name + "[" + (i - 1) + "] = " + values[i - 1]);
            }
        }
    }

    /** Requires an axis whose steps all equal the mean step within {@link #SPACING_TOLERANCE}. */
    static void requireEvenlySpaced(String name, double[] values) {
        requireAxis(name, values);

        double step = spacing(values);
        for (int i = 1; i < values.length; i++) {
            double gap = values[i] - values[i - 1];
            if (Math.abs(gap - step) > SPACING_TOLERANCE * step) {
                throw new IllegalArgumentException(name + " must be evenly spaced for the heatmap; the mean step is "
                        + step + " but " + name + "[" + i + "] − " + name + "[" + (i - 1) + "] = " + gap);
            }
        }
    }

    /** Returns the mean step of an axis that {@link #requireAxis} accepted. */
    static double spacing(double[] values) {
        return (values[values.length - 1] - values[0]) / (values.length - 1);
    }

    static void requireLength(String name, double[] values, int length, String per) {
        requireNonNull(name, values);
        if (values.length != length) {
            throw new IllegalArgumentException(name + " must have " + length + " values, one per value of " + per
                    + "; got " + values.length);
        }
    }

    /** Requires a rectangular grid[rows][columns], whose values may be NaN or infinite. */
    static void requireGrid(String name, double[][] grid, int rows, String rowAxis, int columns, String columnAxis) {
        requireNonNull(name, grid);
        if (grid.length != rows) {
            throw new IllegalArgumentException(name + " must have " + rows + " rows, one per value of " + rowAxis
                    + "; got " + grid.length);
        }
        for (int i = 0; i < rows; i++) {
            requireLength(name + "[" + i + "]", grid[i], columns, columnAxis);
        }
    }

    static void requireFinite(String name, double[] values) {
        requireNonNull(name, values);
        for (int i = 0; i < values.length; i++) {
            if (!Double.isFinite(values[i])) {
                throw new IllegalArgumentException(name + "[" + i + "] is " + values[i] + "; values must be finite");
            }
        }
    }
}
