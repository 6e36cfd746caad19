package io.flatnesslab.chart;

/**
 * Values that the surface heatmap colours and contours: the loss itself, or with log scale
 * log₁₀ of the loss, where zero and negative losses take the smallest positive loss. NaN and
 * infinite losses become NaN.
 *
 * @param grid grid[i][j] for loss[i][j]
 * @param min smallest finite value of the grid, NaN when there is none
 * @param max largest finite value of the grid, NaN when there is none
 * @param finite number of finite values
 * @param nonFinite number of NaN and infinite losses
 */
record SurfaceValues(double[][] grid, double min, double max, int finite, int nonFinite) {

    /**
     * Computes the plotted values of a loss grid.
     *
     * @throws IllegalArgumentException with log scale, when finite losses exist but none is positive
     */
    static SurfaceValues of(double[][] loss, boolean logScale) {
        double floor = logScale ? smallestPositive(loss) : Double.NaN;

        double[][] grid = new double[loss.length][];
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        int finite = 0;
        int nonFinite = 0;
        for (int i = 0; i < loss.length; i++) {
            grid[i] = new double[loss[i].length];
            for (int j = 0; j < loss[i].length; j++) {
                double value = loss[i][j];
                if (!Double.isFinite(value)) {
                    grid[i][j] = Double.NaN;
                    nonFinite++;
                    continue;
                }
                grid[i][j] = logScale ? Math.log10(Math.max(value, floor)) : value;
                min = Math.min(min, grid[i][j]);
                max = Math.max(max, grid[i][j]);
                finite++;
            }
        }

        if (finite == 0) {
            return new SurfaceValues(grid, Double.NaN, Double.NaN, 0, nonFinite);
        }
        return new SurfaceValues(grid, min, max, finite, nonFinite);
    }

    /**
     * Returns the colour scale from min to max. A constant grid gets a band of 5 % of its value
     * (at least 0.05) on each side, and a grid without finite values gets [0, 1].
     */
    LossPaintScale paintScale() {
        if (finite == 0) {
            return new LossPaintScale(0.0, 1.0);
        }
        if (min == max) {
            double band = 0.05 * Math.max(Math.abs(min), 1.0);
            return new LossPaintScale(min - band, max + band);
        }
        return new LossPaintScale(min, max);
    }

    private static double smallestPositive(double[][] loss) {
        double smallest = Double.POSITIVE_INFINITY;
        boolean anyFinite = false;
        for (int i = 0; i < loss.length; i++) {
            for (double value : loss[i]) {
                if (Double.isFinite(value)) {
                    anyFinite = true;
                    if (value > 0) {
                        smallest = Math.min(smallest, value);
                    }
                }
            }
        }

        if (anyFinite && smallest == Double.POSITIVE_INFINITY) {
            throw new IllegalArgumentException("loss has no positive finite value, so it cannot be plotted on a "
                    + "log scale; use logScale = false");
        }
        return smallest;
    }
}
