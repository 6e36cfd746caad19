package io.flatnesslab.chart;

import java.awt.Color;
import java.awt.Font;
import java.util.List;

import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.renderer.category.StatisticalBarRenderer;
import org.jfree.chart.title.TextTitle;
import org.jfree.data.statistics.DefaultStatisticalCategoryDataset;
import org.springframework.stereotype.Component;

/**
 * Renderer of one scalar measure compared across groups: a bar per group at the mean over its
 * runs, with an error bar of ± the population standard deviation over runs.
 */
@Component
class MeasureComparisonRenderer {

    /** One group's value of the measure. */
    record Bar(String group, double mean, double std, int runs) {
    }

    /**
     * Draws the bars as a PNG.
     *
     * @throws IllegalArgumentException when there is no bar or a mean is not finite
     */
    byte[] render(String measure, List<Bar> bars, int width, int height) {
        if (bars.isEmpty()) {
            throw new IllegalArgumentException("bars must not be empty");
        }
        DefaultStatisticalCategoryDataset dataset = new DefaultStatisticalCategoryDataset();
        for (Bar bar : bars) {
            if (!Double.isFinite(bar.mean())) {
                throw new IllegalArgumentException("bar of group " + bar.group() + " has mean " + bar.mean());
            }
            dataset.add(bar.mean(), bar.std(), "mean ± std over runs", bar.group() + " (" + bar.runs() + " runs)");
        }

        StatisticalBarRenderer renderer = new StatisticalBarRenderer();
        renderer.setSeriesPaint(0, LandscapeChartRenderer.seriesColor(0));
        renderer.setErrorIndicatorPaint(Color.BLACK);
        renderer.setShadowVisible(false);
        renderer.setDrawBarOutline(false);
        NumberAxis valueAxis = new NumberAxis(measure);
        valueAxis.setAutoRangeIncludesZero(true);
        CategoryPlot plot = new CategoryPlot(dataset, new CategoryAxis("group"), valueAxis, renderer);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);

        JFreeChart chart = new JFreeChart(measure + " by group", new Font(Font.SANS_SERIF, Font.BOLD, 16), plot, false);
        chart.setBackgroundPaint(Color.WHITE);
        chart.addSubtitle(new TextTitle("bars: mean over runs, error bars: ± population std over runs",
                new Font(Font.SANS_SERIF, Font.PLAIN, 12)));
        return LandscapeChartRenderer.png(chart, width, height);
    }
}
