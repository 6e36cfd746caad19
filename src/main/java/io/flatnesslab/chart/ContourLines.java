package io.flatnesslab.chart;

import java.util.ArrayList;
import java.util.List;

/**
 * Computes iso-lines (contour lines) of a function sampled on a rectangular grid with marching
 * squares, because JFreeChart 1.5 has no contour plot.
 *
 * <p>The grid value z[i][j] belongs to the point (x[i], y[j]). Each cell between x[i], x[i+1] and
 * y[j], y[j+1] is classified by which of its four corners lie at or above the level (z ≥ level).
 * Where an edge joins a corner above and a corner below, the line crosses it at the linearly
 * interpolated point p + (level − z_p)/(z_q − z_p)·(q − p). A cell whose opposite corners are
 * above and the other two below (a saddle) is resolved by the mean of its four corners. When the
 * mean is at or above the level, the cell centre counts as above, and the two segments cut off the
 * two corners below. Otherwise they cut off the two corners above. A cell with a NaN or infinite
 * corner gives no segment, so lines end at the border of diverged regions.
 */
final class ContourLines {

    /** Straight piece of an iso-line from (x1, y1) to (x2, y2). */
    record Segment(double x1, double y1, double x2, double y2) {
    }

    private ContourLines() {
    }

    /**
     * Computes the segments of the iso-line z = level. A level outside [min z, max z] gives none.
     *
     * @param x strictly increasing, at least 2 values
     * @param y strictly increasing, at least 2 values
     * @param z z[i][j] at (x[i], y[j]); NaN and infinite values are allowed
     * @throws IllegalArgumentException when the axes or the grid shape are invalid, or the level is not finite
     */
    static List<Segment> compute(double[] x, double[] y, double[][] z, double level) {
        ChartInputs.requireAxis("x", x);
        ChartInputs.requireAxis("y", y);
        ChartInputs.requireGrid("z", z, x.length, "x", y.length, "y");
        if (!Double.isFinite(level)) {
            throw new IllegalArgumentException("level is " + level + "; it must be finite");
        }

        List<Segment> segments = new ArrayList<>();
        for (int i = 0; i + 1 < x.length; i++) {
            for (int j = 0; j + 1 < y.length; j++) {
                addCell(x[i], x[i + 1], y[j], y[j + 1], z[i][j], z[i + 1][j], z[i + 1][j + 1], z[i][j + 1], level,
                        segments);
            }
        }
        return segments;
    }

    /**
     * Computes {@code count} levels evenly spaced strictly inside (min, max): min + k·(max − min)/(count + 1)
     * for k = 1..count. Levels at min or max would trace single grid points, so they are left out.
     * Returns no level when min equals max.
     */
    static double[] levels(double min, double max, int count) {
        if (count < 0) {
            throw new IllegalArgumentException("count must be at least 0; got " + count);
        }
        if (!Double.isFinite(min) || !Double.isFinite(max) || min > max) {
            throw new IllegalArgumentException("min and max must be finite with min ≤ max; got min = " + min
                    + ", max = " + max);
        }
        if (min == max) {
            return new double[0];
        }

        double[] levels = new double[count];
        for (int k = 1; k <= count; k++) {
            levels[k - 1] = min + k * (max - min) / (count + 1);
        }
        return levels;
    }

    /**
     * Adds the segments of one cell. Corners a, b, c, d are (x0, y0), (x1, y0), (x1, y1), (x0, y1),
     * counter-clockwise, and the edges are numbered bottom (a–b), right (b–c), top (d–c), left (a–d).
     */
    private static void addCell(double x0, double x1, double y0, double y1, double za, double zb, double zc,
            double zd, double level, List<Segment> segments) {
        if (!Double.isFinite(za) || !Double.isFinite(zb) || !Double.isFinite(zc) || !Double.isFinite(zd)) {
            return;
        }

        double[][] crossings = {
                crossing(x0, y0, za, x1, y0, zb, level),
                crossing(x1, y0, zb, x1, y1, zc, level),
                crossing(x0, y1, zd, x1, y1, zc, level),
                crossing(x0, y0, za, x0, y1, zd, level)};
        List<double[]> found = new ArrayList<>(4);
        for (double[] point : crossings) {
            if (point != null) {
                found.add(point);
            }
        }

        // Going round the cell, the side of the level changes an even number of times.
        if (found.size() == 2) {
            add(found.get(0), found.get(1), segments);
            return;
        }
        if (found.size() == 4) {
            boolean centreAbove = (za + zb + zc + zd) / 4 >= level;
            boolean aAbove = za >= level;
            if (centreAbove == aAbove) {
                // a and c join through the centre, so the segments cut off b and d.
                add(crossings[0], crossings[1], segments);
                add(crossings[2], crossings[3], segments);
            } else {
                add(crossings[3], crossings[0], segments);
                add(crossings[1], crossings[2], segments);
            }
        }
    }

    /** Returns where the level crosses the edge p–q, or null when both ends lie on the same side. */
    private static double[] crossing(double xp, double yp, double zp, double xq, double yq, double zq, double level) {
        if ((zp >= level) == (zq >= level)) {
            return null;
        }
        // Exact corners keep a level that runs along a grid line on that line, without rounding.
        if (zp == level) {
            return new double[] {xp, yp};
        }
        if (zq == level) {
            return new double[] {xq, yq};
        }

        double t = (level - zp) / (zq - zp);
        return new double[] {xp + t * (xq - xp), yp + t * (yq - yp)};
    }

    /** Adds the segment unless it has zero length, as where the level passes exactly through a corner. */
    private static void add(double[] from, double[] to, List<Segment> segments) {
        if (from[0] == to[0] && from[1] == to[1]) {
            return;
        }
        segments.add(new Segment(from[0], from[1], to[0], to[1]));
    }
}
