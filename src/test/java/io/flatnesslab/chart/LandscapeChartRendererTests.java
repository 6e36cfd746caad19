package io.flatnesslab.chart;

import static io.flatnesslab.chart.ContourLinesTests.grid;
import static io.flatnesslab.chart.ContourLinesTests.linspace;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.awt.Color;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.DoubleUnaryOperator;
import java.util.function.Predicate;

import javax.imageio.ImageIO;

import io.flatnesslab.chart.LandscapeChartRenderer.Series;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.jfree.chart.ChartRenderingInfo;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.title.PaintScaleLegend;
import org.jfree.chart.title.TextTitle;
import org.junit.jupiter.api.Test;

/**
 * Decodes the rendered PNGs and looks for the plotted content at the pixels where the chart's
 * own axes place the data. The data area comes from rendering the same chart once more with
 * ChartRenderingInfo, because the PNG alone does not tell where the plot lies.
 */
class LandscapeChartRendererTests {

    private static final int WIDTH = 640;

    private static final int HEIGHT = 480;

    private static final double[] ALPHA = linspace(-1, 1, 41);

    private static final double[] GRID = linspace(-1, 1, 21);

    private final LandscapeChartRenderer renderer = new LandscapeChartRenderer();

    @Test
    void sliceDrawsSeriesThroughPoints() throws IOException {
        List<Series> series = List.of(
                new Series("direction 1", map(ALPHA, a -> a * a + 0.2)),
                new Series("direction 2", map(ALPHA, a -> 2 * a * a + 0.5)));

        BufferedImage image = decode(renderer.renderSlice("Slice", "α", ALPHA, series, WIDTH, HEIGHT, false));
        Plotted plotted = plotted(renderer.lineChart("Slice", "α", ALPHA, series, WIDTH, HEIGHT, false, false));

        assertThat(image.getWidth()).isEqualTo(WIDTH);
        assertThat(image.getHeight()).isEqualTo(HEIGHT);
        for (int s = 0; s < series.size(); s++) {
            for (int k = 0; k < ALPHA.length; k++) {
                assertThat(hasColourNear(image, plotted.x(ALPHA[k]), plotted.y(series.get(s).y()[k]),
                        LandscapeChartRenderer.seriesColor(s), 2, 40))
                        .as("series %d at α = %s", s, ALPHA[k]).isTrue();
            }
        }
    }

    @Test
    void sliceLeavesGapAtNonFinite() throws IOException {
        double[] loss = map(ALPHA, a -> a * a + 0.2);
        loss[20] = Double.NaN;
        loss[30] = Double.POSITIVE_INFINITY;
        List<Series> series = List.of(new Series("diverging", loss));

        BufferedImage image = decode(renderer.renderSlice("Slice", "α", ALPHA, series, WIDTH, HEIGHT, false));
        Plotted plotted = plotted(renderer.lineChart("Slice", "α", ALPHA, series, WIDTH, HEIGHT, false, false));

        Color colour = LandscapeChartRenderer.seriesColor(0);
        assertThat(columnsWithColour(image, plotted, ALPHA[19], ALPHA[21], colour)).isZero();
        assertThat(columnsWithColour(image, plotted, ALPHA[29], ALPHA[31], colour)).isZero();
        assertThat(columnsWithColour(image, plotted, ALPHA[5], ALPHA[7], colour)).isPositive();
    }

    @Test
    void logSliceUsesLogAxis() throws IOException {
        double[] loss = map(ALPHA, a -> Math.pow(10, 3 * a));
        loss[10] = 0.0;
        loss[11] = -1.0;
        List<Series> series = List.of(new Series("exponential", loss));

        BufferedImage image = decode(renderer.renderSlice("Slice", "α", ALPHA, series, WIDTH, HEIGHT, true));
        JFreeChart chart = renderer.lineChart("Slice", "α", ALPHA, series, WIDTH, HEIGHT, true, false);
        Plotted plotted = plotted(chart);

        assertThat(chart.getXYPlot().getRangeAxis()).isInstanceOf(LogAxis.class);
        for (int k = 0; k < ALPHA.length; k++) {
            if (k < 9 || k > 12) {
                assertThat(hasColourNear(image, plotted.x(ALPHA[k]), plotted.y(loss[k]),
                        LandscapeChartRenderer.seriesColor(0), 2, 40)).as("point at α = %s", ALPHA[k]).isTrue();
            }
        }
        assertThat(columnsWithColour(image, plotted, ALPHA[9], ALPHA[12], LandscapeChartRenderer.seriesColor(0)))
                .isZero();
    }

    @Test
    void interpolationMarksEndpoints() throws IOException {
        double[] t = linspace(-0.5, 1.5, 21);
        List<Series> series = List.of(new Series("run 1 to run 2", map(t, x -> 1 + x * (1 - x))));

        BufferedImage marked = decode(renderer.renderInterpolation("Interpolation", "t", t, series, WIDTH, HEIGHT,
                false));
        BufferedImage plain = decode(renderer.renderSlice("Interpolation", "t", t, series, WIDTH, HEIGHT, false));
        Plotted plotted = plotted(renderer.lineChart("Interpolation", "t", t, series, WIDTH, HEIGHT, false, true));

        double height = plotted.area().getHeight();
        assertThat(rowsWithDarkGrey(marked, plotted, 0.0)).isGreaterThan((int) (0.3 * height));
        assertThat(rowsWithDarkGrey(marked, plotted, 1.0)).isGreaterThan((int) (0.3 * height));
        assertThat(rowsWithDarkGrey(plain, plotted, 0.0)).isLessThan((int) (0.05 * height));
        assertThat(rowsWithDarkGrey(plain, plotted, 1.0)).isLessThan((int) (0.05 * height));
    }

    @Test
    void sliceInputsValidated() {
        List<Series> single = List.of(new Series("a", new double[ALPHA.length]));
        List<Series> shortSecond = List.of(new Series("a", new double[ALPHA.length]), new Series("b", new double[3]));
        List<Series> twins = List.of(new Series("a", new double[ALPHA.length]), new Series("a", new double[41]));
        double[] unsorted = ALPHA.clone();
        unsorted[4] = unsorted[3];
        double[] withNaN = ALPHA.clone();
        withNaN[2] = Double.NaN;

        assertRejected(() -> renderer.renderSlice("t", "α", ALPHA, shortSecond, WIDTH, HEIGHT, false), "series[1].y");
        assertRejected(() -> renderer.renderSlice("t", "α", ALPHA, twins, WIDTH, HEIGHT, false), "series[1].name");
        assertRejected(() -> renderer.renderSlice("t", "α", ALPHA, List.of(), WIDTH, HEIGHT, false), "series must");
        assertRejected(() -> renderer.renderSlice("t", "α", unsorted, single, WIDTH, HEIGHT, false), "x[4]");
        assertRejected(() -> renderer.renderSlice("t", "α", withNaN, single, WIDTH, HEIGHT, false), "x[2] is NaN");
        assertRejected(() -> renderer.renderSlice("t", "α", new double[] {0}, single, WIDTH, HEIGHT, false),
                "x must have at least 2");
        assertRejected(() -> renderer.renderSlice("t", "α", ALPHA, single, 10, HEIGHT, false), "width");
        assertRejected(() -> renderer.renderSlice(null, "α", ALPHA, single, WIDTH, HEIGHT, false), "title");
        assertRejected(() -> renderer.renderInterpolation("t", "t", withNaN, single, WIDTH, HEIGHT, false),
                "t[2] is NaN");
    }

    @Test
    void surfaceColoursLowBlueHighRed() throws IOException {
        double[][] loss = grid(GRID, GRID, (a, b) -> a * a + b * b + 0.1);

        BufferedImage image = decode(renderer.renderSurface("Surface", GRID, GRID, loss, 5, WIDTH, HEIGHT, false));
        Plotted plotted = plotted(renderer.surfaceChart("Surface", GRID, GRID, loss, 5, WIDTH, HEIGHT, false));

        assertThat(image.getWidth()).isEqualTo(WIDTH);
        assertThat(image.getHeight()).isEqualTo(HEIGHT);
        Color low = new Color(image.getRGB((int) plotted.x(0.5), (int) plotted.y(0.0)));
        Color high = new Color(image.getRGB((int) plotted.x(1.0), (int) plotted.y(1.0)));
        assertThat(low.getBlue()).as("blue of %s", low).isGreaterThan(low.getRed() + 50);
        assertThat(high.getRed()).as("red of %s", high).isGreaterThan(high.getBlue() + 50);
        assertThat(distinctColours(image, plotted.area())).isGreaterThan(30);
    }

    @Test
    void surfaceContoursFollowCircles() throws IOException {
        double[][] loss = grid(GRID, GRID, (a, b) -> a * a + b * b + 0.1);
        // Levels 0.1 + k·2/6 for k = 1..5 between the minimum 0.1 and the maximum 2.1 lie on circles of radius √(k/3).
        double[] radii = {Math.sqrt(1 / 3.0), Math.sqrt(2 / 3.0), 1.0, Math.sqrt(4 / 3.0), Math.sqrt(5 / 3.0)};

        BufferedImage image = decode(renderer.renderSurface("Surface", GRID, GRID, loss, 5, WIDTH, HEIGHT, false));
        Plotted plotted = plotted(renderer.surfaceChart("Surface", GRID, GRID, loss, 5, WIDTH, HEIGHT, false));

        checkContourRadii(image, plotted, radii);
    }

    @Test
    void surfaceWithoutLevelsHasNoContours() throws IOException {
        double[][] loss = grid(GRID, GRID, (a, b) -> a * a + b * b + 0.1);

        BufferedImage image = decode(renderer.renderSurface("Surface", GRID, GRID, loss, 0, WIDTH, HEIGHT, false));
        Plotted plotted = plotted(renderer.surfaceChart("Surface", GRID, GRID, loss, 0, WIDTH, HEIGHT, false));

        assertThat(darkPixelRadii(image, plotted)).isEmpty();
    }

    @Test
    void logSurfaceSpacesLevelsInLog() throws IOException {
        // log₁₀ loss = −3 + 5(α² + β²)/ln 10 is linear in r², so 4 levels evenly spaced in log loss lie at
        // r² = 2k/5, k = 1..4, while 4 levels evenly spaced in loss would all lie beyond r² = 1.6.
        double[][] loss = grid(GRID, GRID, (a, b) -> 1e-3 * Math.exp(5 * (a * a + b * b)));
        double[] radii = {Math.sqrt(0.4), Math.sqrt(0.8), Math.sqrt(1.2), Math.sqrt(1.6)};

        BufferedImage image = decode(renderer.renderSurface("Surface", GRID, GRID, loss, 4, WIDTH, HEIGHT, true));
        JFreeChart chart = renderer.surfaceChart("Surface", GRID, GRID, loss, 4, WIDTH, HEIGHT, true);
        Plotted plotted = plotted(chart);

        checkContourRadii(image, plotted, radii);
        PaintScaleLegend bar = subtitle(chart, PaintScaleLegend.class);
        assertThat(bar.getAxis().getLowerBound()).isCloseTo(-3.0, within(1e-9));
        assertThat(bar.getAxis().getUpperBound()).isCloseTo(-3.0 + 10 / Math.log(10), within(1e-9));
    }

    @Test
    void surfacePaintsNonFiniteGrey() throws IOException {
        double[][] loss = grid(GRID, GRID, (a, b) -> a * a + b * b + 0.1);
        loss[3][4] = Double.NaN;
        loss[16][15] = Double.POSITIVE_INFINITY;

        BufferedImage image = decode(renderer.renderSurface("Surface", GRID, GRID, loss, 5, WIDTH, HEIGHT, true));
        JFreeChart chart = renderer.surfaceChart("Surface", GRID, GRID, loss, 5, WIDTH, HEIGHT, true);
        Plotted plotted = plotted(chart);

        assertThat(new Color(image.getRGB((int) plotted.x(GRID[3]), (int) plotted.y(GRID[4]))))
                .isEqualTo(LossPaintScale.NON_FINITE);
        assertThat(new Color(image.getRGB((int) plotted.x(GRID[16]), (int) plotted.y(GRID[15]))))
                .isEqualTo(LossPaintScale.NON_FINITE);
        assertThat(new Color(image.getRGB((int) plotted.x(GRID[16]), (int) plotted.y(GRID[4]))))
                .isNotEqualTo(LossPaintScale.NON_FINITE);
        assertThat(subtitle(chart, TextTitle.class).getText()).contains("2 of 441");
    }

    @Test
    void surfaceMarksOriginWithCross() throws IOException {
        double[][] loss = grid(GRID, GRID, (a, b) -> a * a + b * b + 0.1);
        double[] shifted = linspace(1, 3, 21);
        double[][] shiftedLoss = grid(shifted, GRID, (a, b) -> a * a + b * b);

        BufferedImage centred = decode(renderer.renderSurface("Surface", GRID, GRID, loss, 5, WIDTH, HEIGHT, false));
        Plotted plotted = plotted(renderer.surfaceChart("Surface", GRID, GRID, loss, 5, WIDTH, HEIGHT, false));
        BufferedImage away = decode(renderer.renderSurface("Surface", shifted, GRID, shiftedLoss, 5, WIDTH, HEIGHT,
                false));
        Plotted awayPlotted = plotted(renderer.surfaceChart("Surface", shifted, GRID, shiftedLoss, 5, WIDTH, HEIGHT,
                false));

        assertThat(whitePixels(centred, plotted.area())).isGreaterThanOrEqualTo(10);
        assertThat(whitePixelsNear(centred, plotted.x(0.0), plotted.y(0.0), 7)).isGreaterThanOrEqualTo(10);
        assertThat(whitePixels(away, awayPlotted.area())).isZero();
    }

    @Test
    void surfaceInputsValidated() {
        double[][] loss = grid(GRID, GRID, (a, b) -> a * a + b * b);
        double[] uneven = GRID.clone();
        uneven[20] = 1.5;
        double[][] nonPositive = grid(GRID, GRID, (a, b) -> -a * a);

        assertRejected(() -> renderer.renderSurface("s", uneven, GRID, loss, 5, WIDTH, HEIGHT, false),
                "alphas must be evenly spaced");
        assertRejected(() -> renderer.renderSurface("s", GRID, GRID, new double[20][21], 5, WIDTH, HEIGHT, false),
                "loss must have 21 rows");
        assertRejected(() -> renderer.renderSurface("s", GRID, GRID, new double[21][3], 5, WIDTH, HEIGHT, false),
                "loss[0]");
        assertRejected(() -> renderer.renderSurface("s", GRID, GRID, loss, -1, WIDTH, HEIGHT, false),
                "contourLevels");
        assertRejected(() -> renderer.renderSurface("s", GRID, GRID, loss, 101, WIDTH, HEIGHT, false),
                "contourLevels");
        assertRejected(() -> renderer.renderSurface("s", GRID, GRID, nonPositive, 5, WIDTH, HEIGHT, true),
                "logScale = false");
    }

    @Test
    void surfaceWithoutFiniteLossRenders() throws IOException {
        double[][] diverged = new double[GRID.length][GRID.length];
        for (double[] row : diverged) {
            Arrays.fill(row, Double.NaN);
        }
        double[][] withZero = grid(GRID, GRID, (a, b) -> a * a + b * b);

        BufferedImage grey = decode(renderer.renderSurface("s", GRID, GRID, diverged, 5, WIDTH, HEIGHT, true));
        Plotted plotted = plotted(renderer.surfaceChart("s", GRID, GRID, diverged, 5, WIDTH, HEIGHT, true));
        BufferedImage zero = decode(renderer.renderSurface("s", GRID, GRID, withZero, 5, WIDTH, HEIGHT, true));

        assertThat(new Color(grey.getRGB((int) plotted.x(0.5), (int) plotted.y(0.5))))
                .isEqualTo(LossPaintScale.NON_FINITE);
        assertThat(zero.getWidth()).isEqualTo(WIDTH);
    }

    @Test
    void densityDrawsLineAndMarkers() throws IOException {
        double[] lambda = linspace(-1, 12, 261);
        double[] density = map(lambda, x -> Math.exp(-x * x / 0.18) + 0.05 * Math.exp(-(x - 9.5) * (x - 9.5) / 0.05));
        double[] top = {11.0, 9.5};

        BufferedImage image = decode(renderer.renderDensity("Density", lambda, density, top, WIDTH, HEIGHT, false));
        Plotted plotted = plotted(renderer.densityChart("Density", lambda, density, top, WIDTH, HEIGHT, false));

        for (int k = 0; k < lambda.length; k += 5) {
            assertThat(hasColourNear(image, plotted.x(lambda[k]), plotted.y(density[k]),
                    LandscapeChartRenderer.DENSITY_LINE, 2, 40)).as("density at λ = %s", lambda[k]).isTrue();
        }
        double height = plotted.area().getHeight();
        assertThat(rowsWithRed(image, plotted, 11.0)).isGreaterThan((int) (0.3 * height));
        assertThat(rowsWithRed(image, plotted, 9.5)).isGreaterThan((int) (0.3 * height));
        assertThat(rowsWithRed(image, plotted, 4.0)).isZero();
    }

    @Test
    void logDensityClampsZerosToFloor() throws IOException {
        double[] lambda = linspace(-1, 12, 261);
        double[] density = map(lambda, x -> Math.exp(-x * x / 0.01));
        double floor = LandscapeChartRenderer.DENSITY_FLOOR;
        assertThat(density[200]).isZero();

        BufferedImage image = decode(renderer.renderDensity("Density", lambda, density, new double[0], WIDTH, HEIGHT,
                true));
        JFreeChart chart = renderer.densityChart("Density", lambda, density, new double[0], WIDTH, HEIGHT, true);
        Plotted plotted = plotted(chart);

        assertThat(chart.getXYPlot().getRangeAxis()).isInstanceOf(LogAxis.class);
        assertThat(chart.getXYPlot().getRangeAxis().getLowerBound()).isLessThanOrEqualTo(floor);
        assertThat(hasColourNear(image, plotted.x(lambda[200]), plotted.y(floor), LandscapeChartRenderer.DENSITY_LINE,
                2, 40)).isTrue();
    }

    @Test
    void densityAxisCoversEigenvalues() {
        double[] lambda = linspace(-1, 12, 261);
        double[] density = map(lambda, x -> Math.exp(-x * x));

        JFreeChart chart = renderer.densityChart("Density", lambda, density, new double[] {15.0}, WIDTH, HEIGHT, false);

        assertThat(chart.getXYPlot().getDomainAxis().getUpperBound()).isGreaterThan(15.0);
        assertThat(chart.getXYPlot().getDomainAxis().getLowerBound()).isLessThan(-1.0);
    }

    @Test
    void densityInputsValidated() {
        double[] lambda = linspace(-1, 12, 261);
        double[] density = map(lambda, x -> Math.exp(-x * x));
        double[] withNaN = density.clone();
        withNaN[3] = Double.NaN;

        assertRejected(() -> renderer.renderDensity("d", lambda, withNaN, new double[0], WIDTH, HEIGHT, false),
                "density[3] is NaN");
        assertRejected(() -> renderer.renderDensity("d", lambda, new double[260], new double[0], WIDTH, HEIGHT, false),
                "density must have 261 values");
        assertRejected(() -> renderer.renderDensity("d", lambda, density, new double[] {Double.POSITIVE_INFINITY},
                WIDTH, HEIGHT, false), "topEigenvalues[0]");
        assertRejected(() -> renderer.renderDensity("d", lambda, new double[261], new double[0], WIDTH, HEIGHT, true),
                "density must have a positive value");
        assertRejected(() -> renderer.renderDensity("d", lambda, density, null, WIDTH, HEIGHT, false),
                "topEigenvalues must not be null");
    }

    /** Pixel positions of data values, from the data area and axes of one rendering of the chart. */
    private record Plotted(XYPlot plot, Rectangle2D area) {

        double x(double value) {
            return plot.getDomainAxis().valueToJava2D(value, area, plot.getDomainAxisEdge());
        }

        double y(double value) {
            return plot.getRangeAxis().valueToJava2D(value, area, plot.getRangeAxisEdge());
        }

        double dataX(double pixel) {
            return plot.getDomainAxis().java2DToValue(pixel, area, plot.getDomainAxisEdge());
        }

        double dataY(double pixel) {
            return plot.getRangeAxis().java2DToValue(pixel, area, plot.getRangeAxisEdge());
        }
    }

    private static Plotted plotted(JFreeChart chart) {
        ChartRenderingInfo info = new ChartRenderingInfo();
        chart.createBufferedImage(WIDTH, HEIGHT, info);
        return new Plotted(chart.getXYPlot(), info.getPlotInfo().getDataArea());
    }

    private static BufferedImage decode(byte[] png) throws IOException {
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
        assertThat(image).as("decoded PNG").isNotNull();
        return image;
    }

    /**
     * Checks that dark pixels, which only contour lines and the outline of the origin cross have,
     * exist near each expected circle and nowhere else, outside the cross.
     */
    private static void checkContourRadii(BufferedImage image, Plotted plotted, double[] radii) {
        List<Double> found = darkPixelRadii(image, plotted);
        // Two pixels of line width and one of rounding, in data units.
        double tolerance = 3 * 2.0 / plotted.area().getWidth() + 0.02;

        assertThat(found).hasSizeGreaterThan(100);
        for (double r : found) {
            double nearest = Arrays.stream(radii).map(expected -> Math.abs(expected - r)).min().orElseThrow();
            assertThat(nearest).as("distance of a contour pixel at radius %s from the nearest level", r)
                    .isLessThan(tolerance);
        }
        for (double expected : radii) {
            assertThat(found.stream().anyMatch(r -> Math.abs(r - expected) < tolerance))
                    .as("contour pixels at radius %s", expected).isTrue();
        }
    }

    /** Returns the data-space radius of each dark pixel inside the data area, leaving out the origin cross. */
    private static List<Double> darkPixelRadii(BufferedImage image, Plotted plotted) {
        Rectangle2D area = plotted.area();
        double originX = plotted.x(0.0);
        double originY = plotted.y(0.0);
        List<Double> radii = new ArrayList<>();
        for (int px = (int) area.getMinX() + 3; px < (int) area.getMaxX() - 3; px++) {
            for (int py = (int) area.getMinY() + 3; py < (int) area.getMaxY() - 3; py++) {
                Color c = new Color(image.getRGB(px, py));
                boolean dark = Math.max(c.getRed(), Math.max(c.getGreen(), c.getBlue())) < 70;
                if (dark && Math.hypot(px - originX, py - originY) > 15) {
                    radii.add(Math.hypot(plotted.dataX(px + 0.5), plotted.dataY(py + 0.5)));
                }
            }
        }
        return radii;
    }

    private static boolean hasColourNear(BufferedImage image, double x, double y, Color colour, int radius,
            int tolerance) {
        for (int px = (int) x - radius; px <= (int) x + radius; px++) {
            for (int py = (int) y - radius; py <= (int) y + radius; py++) {
                if (px >= 0 && py >= 0 && px < image.getWidth() && py < image.getHeight()
                        && close(new Color(image.getRGB(px, py)), colour, tolerance)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean close(Color actual, Color expected, int tolerance) {
        return Math.abs(actual.getRed() - expected.getRed()) <= tolerance
                && Math.abs(actual.getGreen() - expected.getGreen()) <= tolerance
                && Math.abs(actual.getBlue() - expected.getBlue()) <= tolerance;
    }

    /** Counts the pixel columns strictly between two x values, 2 pixels in, that contain the colour. */
    private static int columnsWithColour(BufferedImage image, Plotted plotted, double fromX, double toX,
            Color colour) {
        int count = 0;
        for (int px = (int) plotted.x(fromX) + 3; px < (int) plotted.x(toX) - 2; px++) {
            for (int py = (int) plotted.area().getMinY(); py < (int) plotted.area().getMaxY(); py++) {
                if (close(new Color(image.getRGB(px, py)), colour, 40)) {
                    count++;
                    break;
                }
            }
        }
        return count;
    }

    /** Counts rows of the data area with a dark grey pixel within one pixel of the x value. */
    private static int rowsWithDarkGrey(BufferedImage image, Plotted plotted, double x) {
        return rowsMatching(image, plotted, x, c -> Math.abs(c.getRed() - c.getGreen()) <= 10
                && Math.abs(c.getGreen() - c.getBlue()) <= 10 && c.getRed() < 150);
    }

    private static int rowsWithRed(BufferedImage image, Plotted plotted, double x) {
        return rowsMatching(image, plotted, x, c -> c.getRed() > 150 && c.getRed() - c.getGreen() > 80
                && c.getRed() - c.getBlue() > 80);
    }

    private static int rowsMatching(BufferedImage image, Plotted plotted, double x,
            Predicate<Color> matches) {
        int column = (int) plotted.x(x);
        int count = 0;
        for (int py = (int) plotted.area().getMinY(); py < (int) plotted.area().getMaxY(); py++) {
            for (int px = column - 1; px <= column + 1; px++) {
                if (matches.test(new Color(image.getRGB(px, py)))) {
                    count++;
                    break;
                }
            }
        }
        return count;
    }

    private static int distinctColours(BufferedImage image, Rectangle2D area) {
        Set<Integer> colours = new HashSet<>();
        for (int px = (int) area.getMinX(); px < (int) area.getMaxX(); px++) {
            for (int py = (int) area.getMinY(); py < (int) area.getMaxY(); py++) {
                colours.add(image.getRGB(px, py));
            }
        }
        return colours.size();
    }

    private static int whitePixels(BufferedImage image, Rectangle2D area) {
        return whitePixelsIn(image, (int) area.getMinX() + 1, (int) area.getMaxX() - 1, (int) area.getMinY() + 1,
                (int) area.getMaxY() - 1);
    }

    private static int whitePixelsNear(BufferedImage image, double x, double y, int radius) {
        return whitePixelsIn(image, (int) x - radius, (int) x + radius + 1, (int) y - radius, (int) y + radius + 1);
    }

    private static int whitePixelsIn(BufferedImage image, int fromX, int toX, int fromY, int toY) {
        int count = 0;
        for (int px = fromX; px < toX; px++) {
            for (int py = fromY; py < toY; py++) {
                if (close(new Color(image.getRGB(px, py)), Color.WHITE, 15)) {
                    count++;
                }
            }
        }
        return count;
    }

    private static <T> T subtitle(JFreeChart chart, Class<T> type) {
        for (int i = 0; i < chart.getSubtitleCount(); i++) {
            if (type.isInstance(chart.getSubtitle(i))) {
                return type.cast(chart.getSubtitle(i));
            }
        }
        throw new AssertionError("the chart has no subtitle of type " + type.getSimpleName());
    }

    private static double[] map(double[] x, DoubleUnaryOperator f) {
        return Arrays.stream(x).map(f).toArray();
    }

    private static void assertRejected(ThrowingCallable call, String message) {
        assertThatThrownBy(call).isInstanceOf(IllegalArgumentException.class).hasMessageContaining(message);
    }
}
