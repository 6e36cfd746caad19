package io.flatnesslab.chart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.util.List;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;

/** Checks the group comparison bars by counting their pixels in the rendered PNG. */
class MeasureComparisonRendererTests {

    private final MeasureComparisonRenderer renderer = new MeasureComparisonRenderer();

    @Test
    void barAreaFollowsMean() throws Exception {
        int small = barPixels(List.of(new MeasureComparisonRenderer.Bar("a", 1.0, 0.1, 3),
                new MeasureComparisonRenderer.Bar("b", 4.0, 0.1, 3)));
        int large = barPixels(List.of(new MeasureComparisonRenderer.Bar("a", 4.0, 0.1, 3),
                new MeasureComparisonRenderer.Bar("b", 4.0, 0.1, 3)));

        assertThat(small).isPositive();
        assertThat(large).isGreaterThan(small);
    }

    @Test
    void nonFiniteMeanIsRejected() {
        assertThatThrownBy(() -> renderer.render("m", List.of(new MeasureComparisonRenderer.Bar("a", Double.NaN, 0, 1)),
                400, 300))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("group a");
        assertThatThrownBy(() -> renderer.render("m", List.of(), 400, 300)).isInstanceOf(IllegalArgumentException.class);
    }

    private int barPixels(List<MeasureComparisonRenderer.Bar> bars) throws Exception {
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(renderer.render("measure", bars, 600, 400)));
        int colour = LandscapeChartRenderer.seriesColor(0).getRGB();
        int count = 0;
        for (int x = 0; x < image.getWidth(); x++) {
            for (int y = 0; y < image.getHeight(); y++) {
                if (image.getRGB(x, y) == colour) {
                    count++;
                }
            }
        }
        assertThat(image.getWidth()).isEqualTo(600);
        return count;
    }
}
