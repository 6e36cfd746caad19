package io.flatnesslab.chart;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.text.DecimalFormat;
import java.util.List;

import io.flatnesslab.experiment.ExperimentResults;
import io.flatnesslab.experiment.ExperimentResults.GroupResults;
import io.flatnesslab.experiment.ExperimentResults.OverRuns;
import io.flatnesslab.flatness.DirectionNormalization;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.axis.ValueAxis;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYErrorRenderer;
import org.jfree.chart.title.TextTitle;
import org.jfree.data.xy.YIntervalSeries;
import org.jfree.data.xy.YIntervalSeriesCollection;
import org.springframework.stereotype.Component;

/**
 * Renderer of the classic flatness figure: for each group, the mean over runs of the per-run
 * mean loss increase at each ε, with error bars of ± one population standard deviation over
 * runs.
 */
@Component
class FlatnessChartRenderer {

    private static final Color[] PALETTE = {
            new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c), new Color(0xd62728),
            new Color(0x9467bd), new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f)};

    /**
     * Renders the chart as PNG bytes.
     *
     * @param logScale whether the ε axis is logarithmic
     */
    byte[] render(ExperimentResults results, List<GroupResults> groups, int width, int height, boolean logScale,
            ChartMeasure measure) {
        YIntervalSeriesCollection dataset = new YIntervalSeriesCollection();
        for (GroupResults group : groups) {
            YIntervalSeries series = new YIntervalSeries(label(group));
            for (OverRuns point : group.lossIncrease()) {
                Double mean = measure.mean(point);
                if (mean != null && Double.isFinite(mean)) {
                    Double std = measure.std(point);
                    double spread = std != null && Double.isFinite(std) ? std : 0.0;
                    series.add(point.epsilon(), mean, mean - spread, mean + spread);
                }
            }
            dataset.addSeries(series);
        }

        String epsilon = results.normalization() == null || results.normalization() == DirectionNormalization.GLOBAL
                ? "ε (L2 norm of the perturbation)"
                : "ε (relative to the parameters, " + results.normalization() + " directions)";
        ValueAxis xAxis = logScale ? new LogAxis(epsilon) : new NumberAxis(epsilon);
        if (xAxis instanceof LogAxis log) {
            // One tick per decade, labelled 0.001, 0.01, ... instead of 10^-2.9, 10^-2.8, ...
            log.setSmallestValue(1e-12);
            log.setTickUnit(new NumberTickUnit(1.0));
            log.setNumberFormatOverride(new DecimalFormat("0.##########"));
        }
        NumberAxis yAxis = new NumberAxis(measure.axisLabel());
        yAxis.setAutoRangeIncludesZero(true);

        XYErrorRenderer renderer = new XYErrorRenderer();
        renderer.setDefaultLinesVisible(true);
        renderer.setDefaultShapesVisible(true);
        renderer.setCapLength(6.0);
        renderer.setErrorStroke(new BasicStroke(1.2f));
        for (int i = 0; i < groups.size(); i++) {
            renderer.setSeriesPaint(i, PALETTE[i % PALETTE.length]);
            renderer.setSeriesStroke(i, new BasicStroke(2.0f));
        }

        XYPlot plot = new XYPlot(dataset, xAxis, yAxis, renderer);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);

        JFreeChart chart = new JFreeChart("Loss increase under random perturbations",
                new Font(Font.SANS_SERIF, Font.BOLD, 16), plot, true);
        chart.setBackgroundPaint(Color.WHITE);
        chart.addSubtitle(new TextTitle(subtitle(results), new Font(Font.SANS_SERIF, Font.PLAIN, 12)));
        chart.setTitle(new TextTitle(measure.title(), new Font(Font.SANS_SERIF, Font.BOLD, 16)));

        return LandscapeChartRenderer.png(chart, width, height);
    }

    /** Legend entry with the count of runs at 100 % training accuracy, because the other runs are not at a minimum. */
    private static String label(GroupResults group) {
        int runs = group.runs().size();
        long full = group.runs().stream().filter(run -> run.reachedFullTrainAccuracy()).count();
        return group.key() + " " + group.hiddenLayers() + " " + group.labels() + " (" + full + " of " + runs
                + (runs == 1 ? " run" : " runs") + " at 100 % train accuracy)";
    }

    private static String subtitle(ExperimentResults results) {
        return "experiment " + results.experimentId() + ", " + results.trainingData().dataset() + " ("
                + results.trainingData().trainSize() + " examples), " + results.directions()
                + " directions per run; mean ± population std over runs";
    }
}
