package io.flatnesslab.chart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.function.DoubleBinaryOperator;
import java.util.stream.IntStream;

import io.flatnesslab.chart.ContourLines.Segment;
import org.junit.jupiter.api.Test;

/** Checks marching squares on functions whose iso-lines are known in closed form. */
class ContourLinesTests {

    private static final double[] AXIS = linspace(-2, 2, 41);

    private static final double STEP = 0.1;

    @Test
    void circleEndpointsLieOnCircle() {
        double radius = 1.1;
        double[][] bowl = grid(AXIS, AXIS, (x, y) -> x * x + y * y);

        List<Segment> segments = ContourLines.compute(AXIS, AXIS, bowl, radius * radius);

        assertThat(segments).isNotEmpty();
        for (Segment segment : segments) {
            assertThat(Math.hypot(segment.x1(), segment.y1())).isCloseTo(radius, within(STEP));
            assertThat(Math.hypot(segment.x2(), segment.y2())).isCloseTo(radius, within(STEP));
        }
        assertThat(length(segments)).isCloseTo(2 * Math.PI * radius, within(0.03 * 2 * Math.PI * radius));
    }

    @Test
    void planeGivesVerticalSegments() {
        double[][] plane = grid(AXIS, AXIS, (x, y) -> x);

        List<Segment> segments = ContourLines.compute(AXIS, AXIS, plane, 0.35);

        assertThat(segments).isNotEmpty();
        for (Segment segment : segments) {
            assertThat(segment.x1()).isCloseTo(0.35, within(1e-12));
            assertThat(segment.x2()).isCloseTo(0.35, within(1e-12));
        }
        assertThat(length(segments)).isCloseTo(4.0, within(1e-9));
    }

    @Test
    void levelOnGridLineTracedOnce() {
        double[][] plane = grid(AXIS, AXIS, (x, y) -> x);
        double level = AXIS[25];

        List<Segment> segments = ContourLines.compute(AXIS, AXIS, plane, level);

        for (Segment segment : segments) {
            assertThat(segment.x1()).isEqualTo(level);
            assertThat(segment.x2()).isEqualTo(level);
        }
        assertThat(length(segments)).isCloseTo(4.0, within(1e-9));
    }

    @Test
    void levelOutsideRangeGivesNothing() {
        double[][] bowl = grid(AXIS, AXIS, (x, y) -> x * x + y * y);

        assertThat(ContourLines.compute(AXIS, AXIS, bowl, -0.1)).isEmpty();
        assertThat(ContourLines.compute(AXIS, AXIS, bowl, 8.1)).isEmpty();
    }

    @Test
    void saddleBelowMeanCutsOffLowCorners() {
        double[] corners = {-1, 1};
        double[][] saddle = grid(corners, corners, (x, y) -> x * y);

        List<Segment> segments = ContourLines.compute(corners, corners, saddle, -0.5);

        // The mean of the corners, 0, lies above the level, so the centre joins the high corners
        // (-1, -1) and (1, 1), and each segment cuts off one low corner.
        assertThat(segments).hasSize(2);
        assertThat(nearestCorners(segments)).containsExactlyInAnyOrder("(1, -1)", "(-1, 1)");
    }

    @Test
    void saddleAboveMeanCutsOffHighCorners() {
        double[] corners = {-1, 1};
        double[][] saddle = grid(corners, corners, (x, y) -> x * y);

        List<Segment> segments = ContourLines.compute(corners, corners, saddle, 0.5);

        assertThat(segments).hasSize(2);
        assertThat(nearestCorners(segments)).containsExactlyInAnyOrder("(-1, -1)", "(1, 1)");
    }

    @Test
    void nonFiniteCornerSuppressesCells() {
        double[][] bowl = grid(AXIS, AXIS, (x, y) -> x * x + y * y);
        assertThat(ContourLines.compute(AXIS, AXIS, bowl, 0.005)).isNotEmpty();

        bowl[20][20] = Double.NaN;

        assertThat(ContourLines.compute(AXIS, AXIS, bowl, 0.005)).isEmpty();
    }

    @Test
    void levelsEvenlySpacedInside() {
        assertThat(ContourLines.levels(1, 3, 3)).containsExactly(1.5, 2.0, 2.5);
        assertThat(ContourLines.levels(-2, 2, 1)).containsExactly(0.0);
        assertThat(ContourLines.levels(2, 2, 5)).isEmpty();
        assertThat(ContourLines.levels(0, 1, 0)).isEmpty();
    }

    @Test
    void invalidInputsNamed() {
        double[][] bowl = grid(AXIS, AXIS, (x, y) -> x * x + y * y);
        double[] shortAxis = linspace(-2, 2, 40);

        assertThatThrownBy(() -> ContourLines.compute(AXIS, shortAxis, bowl, 1.0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("z[0]");
        assertThatThrownBy(() -> ContourLines.compute(new double[] {0, 0}, AXIS, bowl, 1.0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("x must be strictly increasing");
        assertThatThrownBy(() -> ContourLines.compute(AXIS, AXIS, bowl, Double.NaN))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("level");
        assertThatThrownBy(() -> ContourLines.levels(0, 1, -1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("count");
    }

    static double[] linspace(double from, double to, int count) {
        return IntStream.range(0, count).mapToDouble(i -> from + i * (to - from) / (count - 1)).toArray();
    }

    static double[][] grid(double[] x, double[] y, DoubleBinaryOperator f) {
        double[][] z = new double[x.length][y.length];
        for (int i = 0; i < x.length; i++) {
            for (int j = 0; j < y.length; j++) {
                z[i][j] = f.applyAsDouble(x[i], y[j]);
            }
        }
        return z;
    }

    private static double length(List<Segment> segments) {
        return segments.stream().mapToDouble(s -> Math.hypot(s.x2() - s.x1(), s.y2() - s.y1())).sum();
    }

    /** Names, for each segment, the corner of the square [-1, 1]² nearest to its midpoint. */
    private static List<String> nearestCorners(List<Segment> segments) {
        return segments.stream()
                .map(s -> "(" + (s.x1() + s.x2() > 0 ? "1" : "-1") + ", " + (s.y1() + s.y2() > 0 ? "1" : "-1") + ")")
                .toList();
    }
}
