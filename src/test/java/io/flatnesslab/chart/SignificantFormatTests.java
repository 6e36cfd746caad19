package io.flatnesslab.chart;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;

import org.junit.jupiter.api.Test;

/** Checks that colour-bar labels of a narrow log range stay distinct. */
class SignificantFormatTests {

    @Test
    void narrowLogRangeKeepsLabelsDistinct() {
        double lower = Math.log10(2.240);
        double upper = Math.log10(2.256);
        SignificantFormat format = new SignificantFormat(true, SignificantFormat.digitsForLogSpan(upper - lower));
        Set<String> labels = new HashSet<>();

        for (int i = 0; i <= 8; i++) {
            labels.add(format.format(lower + i * (upper - lower) / 8));
        }

        assertThat(labels).hasSize(9);
    }

    @Test
    void wideRangeUsesThreeDigits() {
        assertThat(SignificantFormat.digitsForLogSpan(2.0)).isEqualTo(3);
        assertThat(new SignificantFormat(true, 3).format(2.0)).isEqualTo("100");
    }
}
