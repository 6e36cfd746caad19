package io.flatnesslab.chart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Checks that the surface CSV reads back to exactly the doubles written. */
class SurfaceCsvTests {

    private static final double[] ALPHAS = {-0.1, 1e-300, 0.1 + 0.2};

    private static final double[] BETAS = {-1.0 / 3, 2.0 / 3};

    private static final double[][] LOSS = {
            {Math.PI, Double.NaN},
            {Double.POSITIVE_INFINITY, -0.0},
            {Double.MIN_VALUE, 123456.789e200}};

    private static final double[][] ACCURACY = {
            {0.123456789012345678, 1.0},
            {0.0, Double.NEGATIVE_INFINITY},
            {0.7, 0.3}};

    @Test
    void csvRoundTripsExactly() {
        String csv = SurfaceCsv.format(ALPHAS, BETAS, LOSS, ACCURACY);

        assertThat(csv).endsWith("\n").doesNotContain("\r");
        String[] lines = csv.split("\n");
        assertThat(lines).hasSize(1 + ALPHAS.length * BETAS.length);
        assertThat(lines[0]).isEqualTo("alpha,beta,loss,accuracy");
        // isEqualTo(Double) compares with Double.equals, so NaN matches NaN and -0.0 differs from 0.0.
        for (int row = 0; row < ALPHAS.length * BETAS.length; row++) {
            int i = row / BETAS.length;
            int j = row % BETAS.length;
            String[] fields = lines[row + 1].split(",");

            assertThat(fields).hasSize(4);
            assertThat(Double.valueOf(fields[0])).as("alpha of row %d", row).isEqualTo(Double.valueOf(ALPHAS[i]));
            assertThat(Double.valueOf(fields[1])).as("beta of row %d", row).isEqualTo(Double.valueOf(BETAS[j]));
            assertThat(Double.valueOf(fields[2])).as("loss of row %d", row).isEqualTo(Double.valueOf(LOSS[i][j]));
            assertThat(Double.valueOf(fields[3])).as("accuracy of row %d", row).isEqualTo(Double.valueOf(ACCURACY[i][j]));
        }
    }

    @Test
    void mismatchedGridsRejected() {
        double[][] shortRow = {{0.1, 0.2}, {0.3}, {0.5, 0.6}};

        assertThatThrownBy(() -> SurfaceCsv.format(ALPHAS, BETAS, LOSS, shortRow))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("accuracy[1]");
        assertThatThrownBy(() -> SurfaceCsv.format(ALPHAS, BETAS, new double[2][2], ACCURACY))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("loss must have 3 rows");
        assertThatThrownBy(() -> SurfaceCsv.format(new double[] {0.5}, BETAS, LOSS, ACCURACY))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("alphas must have at least 2");
        assertThatThrownBy(() -> SurfaceCsv.format(ALPHAS, BETAS, LOSS, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("accuracy must not be null");
    }
}
