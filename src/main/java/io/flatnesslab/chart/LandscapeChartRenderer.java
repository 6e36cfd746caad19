package io.flatnesslab.chart;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.Stroke;
import java.awt.geom.Line2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.annotations.XYDrawableAnnotation;
import org.jfree.chart.annotations.XYLineAnnotation;
import org.jfree.chart.axis.AxisLocation;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.ValueAxis;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYBlockRenderer;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.PaintScaleLegend;
import org.jfree.chart.title.TextTitle;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.chart.ui.RectangleInsets;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.xy.DefaultXYZDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.springframework.stereotype.Component;

/**
 * Renders loss landscape figures as PNG with JFreeChart 1.5: 1D slices and interpolations (loss
 * against α or t, one line per series), 2D surfaces (a heatmap with contour lines) and Hessian
 * spectral densities. The methods take plain arrays, so that any result type can be plotted.
 *
 * <p>Axis values (α, β, t, the density grid) must be finite and strictly increasing, with at
 * least 2 points. Loss values may be NaN or infinite, as at points where the loss diverged: lines
 * leave a gap there and the heatmap paints those cells grey ({@link LossPaintScale#NON_FINITE}).
 * On a logarithmic loss axis, zero and negative losses are treated like non-finite ones in lines.
 * Invalid input raises IllegalArgumentException with a message that names the argument.
 */
@Component
class LandscapeChartRenderer {

    /** Line of one quantity against the shared x values, for example the loss along one direction of one run. */
    record Series(String name, double[] y) {
    }

    private static final Color[] PALETTE = {
            new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c), new Color(0xd62728),
            new Color(0x9467bd), new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f)};

    /** Strokes of the first, second and later rounds through the palette, so that series 1 and 9 differ. */
    private static final Stroke[] SERIES_STROKES = {
            new BasicStroke(2.0f),
            new BasicStroke(2.0f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10.0f, new float[] {8.0f, 4.0f}, 0.0f),
            new BasicStroke(2.0f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10.0f, new float[] {2.0f, 3.0f}, 0.0f)};

    private static final Stroke DASHED = new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10.0f,
            new float[] {6.0f, 4.0f}, 0.0f);

    /** Colour of the vertical markers at t = 0 and t = 1 of an interpolation. */
    static final Color ENDPOINT_MARKER = new Color(0x404040);

    /** Colour of the density line. */
    static final Color DENSITY_LINE = PALETTE[0];

    /** Colour of the markers at the top Hessian eigenvalues. */
    static final Color EIGENVALUE_MARKER = PALETTE[3];

    static final Color CONTOUR = Color.BLACK;

    /** Fill of the cross at the origin of a surface; its outline is {@link #CONTOUR}. */
    static final Color ORIGIN_FILL = Color.WHITE;

    /**
     * Smallest plotted density on a log axis, relative to the largest density, because zeros have
     * no place on a log axis. Ten decades show the spectrum's tail without stretching the axis.
     */
    static final double DENSITY_FLOOR = 1e-10;

    /**
     * Largest number of contour levels, because each level traces the whole grid, and more lines
     * than this merge into one dark area at chart sizes.
     */
    static final int MAX_CONTOUR_LEVELS = 100;

    private static final Font TITLE_FONT = new Font(Font.SANS_SERIF, Font.BOLD, 16);

    private static final Font SUBTITLE_FONT = new Font(Font.SANS_SERIF, Font.PLAIN, 12);

    static Color seriesColor(int index) {
        return PALETTE[index % PALETTE.length];
    }

    /**
     * Renders a 1D landscape slice, loss against α, one line per series (for example one per
     * direction and run).
     *
     * @param logScale whether the loss axis is logarithmic
     */
    byte[] renderSlice(String title, String xLabel, double[] x, List<Series> series, int width, int height,
            boolean logScale) {
        return png(lineChart(title, xLabel, "loss", x, series, width, height, logScale, false), width, height);
    }

    /** Renders a slice of {@code quantity} (for example "accuracy") against α. */
    byte[] renderSlice(String title, String xLabel, String quantity, double[] x, List<Series> series, int width,
            int height, boolean logScale) {
        return png(lineChart(title, xLabel, quantity, x, series, width, height, logScale, false), width, height);
    }

    /**
     * Renders a linear interpolation, loss against t, one line per series, with dashed vertical
     * markers at t = 0 and t = 1, the two interpolated parameter vectors.
     *
     * @param logScale whether the loss axis is logarithmic
     */
    byte[] renderInterpolation(String title, String xLabel, double[] t, List<Series> series, int width, int height,
            boolean logScale) {
        return png(lineChart(title, xLabel, "loss", t, series, width, height, logScale, true), width, height);
    }

    /** Renders an interpolation of {@code quantity} (for example "accuracy") against t. */
    byte[] renderInterpolation(String title, String xLabel, String quantity, double[] t, List<Series> series,
            int width, int height, boolean logScale) {
        return png(lineChart(title, xLabel, quantity, t, series, width, height, logScale, true), width, height);
    }

    /**
     * Renders a 2D landscape, loss over (α, β), as a heatmap with a colour bar and contour lines,
     * and a cross at (0, 0), the trained parameters, when the grid contains it.
     *
     * <p>With {@code logScale}, both the colours and the contour levels follow log₁₀ loss, because
     * the loss rises by orders of magnitude away from a minimum and evenly spaced linear levels
     * would all crowd into the steep rim. That makes log scale the useful default for landscapes.
     * Zero and negative losses then take the colour of the smallest positive loss. The
     * {@code contourLevels} levels are evenly spaced strictly between the smallest and the largest
     * finite value, of loss or of log₁₀ loss: v_min + k·(v_max − v_min)/(contourLevels + 1) for
     * k = 1..contourLevels (see {@link ContourLines#levels}).
     *
     * @param alphas evenly spaced, because each grid point is drawn as a block of one grid step
     * @param betas evenly spaced
     * @param loss loss[i][j] at (alphas[i], betas[j]); NaN and infinite values are painted grey
     * @param contourLevels number of contour levels, 0 for none, at most {@link #MAX_CONTOUR_LEVELS}
     */
    byte[] renderSurface(String title, double[] alphas, double[] betas, double[][] loss, int contourLevels, int width,
            int height, boolean logScale) {
        return png(surfaceChart(title, alphas, betas, loss, contourLevels, width, height, logScale), width, height);
    }

    /**
     * Renders a Hessian spectral density as a line, with dashed vertical markers at the top
     * eigenvalues. The eigenvalue axis extends to include every marker.
     *
     * @param density finite; negative values, such as the ripples of a polynomial expansion, are plotted as they are
     *        on a linear axis
     * @param topEigenvalues finite, in any order, possibly empty
     * @param logDensity whether the density axis is logarithmic; densities below
     *        {@link #DENSITY_FLOOR} times the largest density are then plotted at that floor
     */
    byte[] renderDensity(String title, double[] grid, double[] density, double[] topEigenvalues, int width,
            int height, boolean logDensity) {
        return png(densityChart(title, grid, density, topEigenvalues, width, height, logDensity), width, height);
    }

    JFreeChart lineChart(String title, String xLabel, double[] x, List<Series> series, int width, int height,
            boolean logScale, boolean markEndpoints) {
        return lineChart(title, xLabel, "loss", x, series, width, height, logScale, markEndpoints);
    }

    /** Builds a line chart of {@code quantity}, the name of the y axis, against x. */
    JFreeChart lineChart(String title, String xLabel, String quantity, double[] x, List<Series> series, int width,
            int height, boolean logScale, boolean markEndpoints) {
        ChartInputs.requireNonNull("title", title);
        ChartInputs.requireNonNull("xLabel", xLabel);
        String axisName = markEndpoints ? "t" : "x";
        ChartInputs.requireAxis(axisName, x);
        ChartInputs.requireImageSize(width, height);
        XYSeriesCollection dataset = lineDataset(axisName, x, series, logScale);

        NumberAxis xAxis = new NumberAxis(xLabel);
        xAxis.setAutoRangeIncludesZero(false);
        ValueAxis yAxis = lossAxis(logScale ? quantity + " (log scale)" : quantity, logScale);

        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, false);
        for (int i = 0; i < series.size(); i++) {
            renderer.setSeriesPaint(i, seriesColor(i));
            renderer.setSeriesStroke(i, SERIES_STROKES[Math.min(i / PALETTE.length, SERIES_STROKES.length - 1)]);
        }

        XYPlot plot = whitePlot(new XYPlot(dataset, xAxis, yAxis, renderer));
        if (markEndpoints) {
            plot.addDomainMarker(verticalMarker(0.0, "t = 0", ENDPOINT_MARKER));
            plot.addDomainMarker(verticalMarker(1.0, "t = 1", ENDPOINT_MARKER));
        }
        return chart(title, plot, true);
    }

    JFreeChart surfaceChart(String title, double[] alphas, double[] betas, double[][] loss, int contourLevels,
            int width, int height, boolean logScale) {
        ChartInputs.requireNonNull("title", title);
        ChartInputs.requireEvenlySpaced("alphas", alphas);
        ChartInputs.requireEvenlySpaced("betas", betas);
        ChartInputs.requireGrid("loss", loss, alphas.length, "alphas", betas.length, "betas");
        if (contourLevels < 0 || contourLevels > MAX_CONTOUR_LEVELS) {
            throw new IllegalArgumentException("contourLevels must be between 0 and " + MAX_CONTOUR_LEVELS + "; got "
                    + contourLevels);
        }
        ChartInputs.requireImageSize(width, height);
        SurfaceValues values = SurfaceValues.of(loss, logScale);

        double alphaStep = ChartInputs.spacing(alphas);
        double betaStep = ChartInputs.spacing(betas);
        NumberAxis xAxis = new NumberAxis("α (first direction)");
        xAxis.setRange(alphas[0] - alphaStep / 2, alphas[alphas.length - 1] + alphaStep / 2);
        NumberAxis yAxis = new NumberAxis("β (second direction)");
        yAxis.setRange(betas[0] - betaStep / 2, betas[betas.length - 1] + betaStep / 2);

        LossPaintScale scale = values.paintScale();
        XYBlockRenderer renderer = new XYBlockRenderer();
        renderer.setBlockWidth(alphaStep);
        renderer.setBlockHeight(betaStep);
        renderer.setPaintScale(scale);

        XYPlot plot = whitePlot(new XYPlot(heatmapDataset(alphas, betas, values.grid()), xAxis, yAxis, renderer));
        addContours(plot, alphas, betas, values, contourLevels);
        if (contains(alphas, 0.0) && contains(betas, 0.0)) {
            plot.addAnnotation(new XYDrawableAnnotation(0.0, 0.0, 12.0, 12.0, LandscapeChartRenderer::drawCross), false);
        }

        JFreeChart chart = chart(title, plot, false);
        chart.addSubtitle(colourBar(scale, logScale));
        if (values.nonFinite() > 0) {
            chart.addSubtitle(new TextTitle("grey: loss is NaN or infinite at " + values.nonFinite() + " of "
                    + alphas.length * betas.length + " points", SUBTITLE_FONT));
        }
        return chart;
    }

    JFreeChart densityChart(String title, double[] grid, double[] density, double[] topEigenvalues, int width,
            int height, boolean logDensity) {
        ChartInputs.requireNonNull("title", title);
        ChartInputs.requireAxis("grid", grid);
        ChartInputs.requireLength("density", density, grid.length, "grid");
        ChartInputs.requireFinite("density", density);
        ChartInputs.requireFinite("topEigenvalues", topEigenvalues);
        ChartInputs.requireImageSize(width, height);

        double largest = max(density);
        if (logDensity && !(largest > 0)) {
            throw new IllegalArgumentException("density must have a positive value to be plotted on a log axis; "
                    + "its largest value is " + largest);
        }
        double floor = DENSITY_FLOOR * largest;
        XYSeries line = new XYSeries("spectral density", false, true);
        for (int i = 0; i < grid.length; i++) {
            line.add(grid[i], logDensity ? Math.max(density[i], floor) : density[i]);
        }

        NumberAxis xAxis = new NumberAxis("eigenvalue λ of the Hessian");
        xAxis.setAutoRangeIncludesZero(false);
        double lower = Math.min(grid[0], min(topEigenvalues));
        double upper = Math.max(grid[grid.length - 1], max(topEigenvalues));
        double margin = 0.02 * (upper - lower);
        xAxis.setRange(lower - margin, upper + margin);
        ValueAxis yAxis = lossAxis(logDensity ? "density (log scale)" : "density", logDensity);

        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, false);
        renderer.setSeriesPaint(0, DENSITY_LINE);
        renderer.setSeriesStroke(0, SERIES_STROKES[0]);

        XYPlot plot = whitePlot(new XYPlot(new XYSeriesCollection(line), xAxis, yAxis, renderer));
        for (double eigenvalue : topEigenvalues) {
            plot.addDomainMarker(verticalMarker(eigenvalue, null, EIGENVALUE_MARKER));
        }

        JFreeChart chart = chart(title, plot, false);
        if (topEigenvalues.length > 0) {
            chart.addSubtitle(new TextTitle("dashed: the " + topEigenvalues.length + " largest eigenvalues, λ_max = "
                    + String.format(Locale.ROOT, "%.4g", max(topEigenvalues)), SUBTITLE_FONT));
        }
        if (logDensity) {
            chart.addSubtitle(new TextTitle("densities below 1e-10 of the peak are drawn at that floor", SUBTITLE_FONT));
        }
        return chart;
    }

    private static XYSeriesCollection lineDataset(String axisName, double[] x, List<Series> series, boolean logScale) {
        ChartInputs.requireNonNull("series", series);
        if (series.isEmpty()) {
            throw new IllegalArgumentException("series must contain at least one series");
        }

        XYSeriesCollection dataset = new XYSeriesCollection();
        Set<String> names = new HashSet<>();
        for (int s = 0; s < series.size(); s++) {
            Series input = series.get(s);
            ChartInputs.requireNonNull("series[" + s + "]", input);
            ChartInputs.requireNonNull("series[" + s + "].name", input.name());
            if (!names.add(input.name())) {
                throw new IllegalArgumentException("series[" + s + "].name '" + input.name()
                        + "' is used by an earlier series; names label the legend and must be unique");
            }
            ChartInputs.requireLength("series[" + s + "].y", input.y(), x.length, axisName);

            // NaN breaks the line, so a diverged point leaves a gap instead of a jump.
            XYSeries line = new XYSeries(input.name(), false, true);
            for (int i = 0; i < x.length; i++) {
                double y = input.y()[i];
                boolean plottable = Double.isFinite(y) && (!logScale || y > 0);
                line.add(x[i], plottable ? y : Double.NaN);
            }
            dataset.addSeries(line);
        }
        return dataset;
    }

    private static ValueAxis lossAxis(String label, boolean logScale) {
        if (!logScale) {
            NumberAxis axis = new NumberAxis(label);
            axis.setAutoRangeIncludesZero(false);
            return axis;
        }

        LogAxis axis = new LogAxis(label);
        axis.setSmallestValue(Double.MIN_NORMAL);
        axis.setNumberFormatOverride(new SignificantFormat(false));
        return axis;
    }

    private static ValueMarker verticalMarker(double x, String label, Color color) {
        ValueMarker marker = new ValueMarker(x, color, DASHED);
        if (label != null) {
            marker.setLabel(label);
            marker.setLabelFont(SUBTITLE_FONT);
            marker.setLabelPaint(color);
            marker.setLabelBackgroundColor(Color.WHITE);
            marker.setLabelAnchor(RectangleAnchor.TOP_RIGHT);
            marker.setLabelTextAnchor(TextAnchor.TOP_LEFT);
            marker.setLabelOffset(new RectangleInsets(4, 4, 4, 4));
        }
        return marker;
    }

    private static DefaultXYZDataset heatmapDataset(double[] alphas, double[] betas, double[][] values) {
        int count = alphas.length * betas.length;
        double[][] xyz = new double[3][count];
        int k = 0;
        for (int i = 0; i < alphas.length; i++) {
            for (int j = 0; j < betas.length; j++) {
                xyz[0][k] = alphas[i];
                xyz[1][k] = betas[j];
                xyz[2][k] = values[i][j];
                k++;
            }
        }

        DefaultXYZDataset dataset = new DefaultXYZDataset();
        dataset.addSeries("loss", xyz);
        return dataset;
    }

    private static void addContours(XYPlot plot, double[] alphas, double[] betas, SurfaceValues values, int count) {
        if (values.finite() == 0) {
            return;
        }

        Stroke stroke = new BasicStroke(1.0f);
        for (double level : ContourLines.levels(values.min(), values.max(), count)) {
            for (ContourLines.Segment segment : ContourLines.compute(alphas, betas, values.grid(), level)) {
                plot.addAnnotation(new XYLineAnnotation(segment.x1(), segment.y1(), segment.x2(), segment.y2(), stroke,
                        CONTOUR), false);
            }
        }
    }

    /** Draws a plus sign filling the area, white with a black outline so that it shows on every colour. */
    private static void drawCross(Graphics2D g2, Rectangle2D area) {
        double cx = area.getCenterX();
        double cy = area.getCenterY();
        double half = area.getWidth() / 2;
        Line2D horizontal = new Line2D.Double(cx - half, cy, cx + half, cy);
        Line2D vertical = new Line2D.Double(cx, cy - half, cx, cy + half);

        g2.setPaint(CONTOUR);
        g2.setStroke(new BasicStroke(4.0f));
        g2.draw(horizontal);
        g2.draw(vertical);

        g2.setPaint(ORIGIN_FILL);
        g2.setStroke(new BasicStroke(2.0f));
        g2.draw(horizontal);
        g2.draw(vertical);
    }

    private static PaintScaleLegend colourBar(LossPaintScale scale, boolean logScale) {
        NumberAxis axis = new NumberAxis(logScale ? "loss (log scale)" : "loss");
        axis.setRange(scale.getLowerBound(), scale.getUpperBound());
        if (logScale) {
            int digits = SignificantFormat.digitsForLogSpan(scale.getUpperBound() - scale.getLowerBound());
            axis.setNumberFormatOverride(new SignificantFormat(true, digits));
        }

        PaintScaleLegend legend = new PaintScaleLegend(scale, axis);
        legend.setPosition(RectangleEdge.RIGHT);
        legend.setAxisLocation(AxisLocation.BOTTOM_OR_RIGHT);
        legend.setSubdivisionCount(256);
        legend.setStripWidth(14);
        legend.setMargin(new RectangleInsets(10, 10, 10, 10));
        legend.setBackgroundPaint(Color.WHITE);
        return legend;
    }

    private static XYPlot whitePlot(XYPlot plot) {
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        return plot;
    }

    private static JFreeChart chart(String title, XYPlot plot, boolean legend) {
        JFreeChart chart = new JFreeChart(title, TITLE_FONT, plot, legend);
        chart.setBackgroundPaint(Color.WHITE);
        return chart;
    }

    /** Draws {@code chart} at the given size and encodes it as PNG. */
    static byte[] png(JFreeChart chart, int width, int height) {
        BufferedImage image = chart.createBufferedImage(width, height);
        try {
            ByteArrayOutputStream png = new ByteArrayOutputStream();
            ChartUtils.writeBufferedImageAsPNG(png, image);
            return png.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode the chart as PNG", e);
        }
    }

    private static boolean contains(double[] axis, double value) {
        return axis[0] <= value && value <= axis[axis.length - 1];
    }

    private static double min(double[] values) {
        double min = Double.POSITIVE_INFINITY;
        for (double value : values) {
            min = Math.min(min, value);
        }
        return min;
    }

    private static double max(double[] values) {
        double max = Double.NEGATIVE_INFINITY;
        for (double value : values) {
            max = Math.max(max, value);
        }
        return max;
    }
}
