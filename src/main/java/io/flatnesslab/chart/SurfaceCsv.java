package io.flatnesslab.chart;

/**
 * CSV export of a 2D loss landscape, for plotting with other tools.
 *
 * <p>The header is {@code alpha,beta,loss,accuracy}, followed by one row per grid point, alphas in
 * the outer loop and betas in the inner loop, and every line ends with {@code \n}. Numbers are
 * written with {@link Double#toString(double)}, which {@link Double#parseDouble(String)} reads
 * back to the same double, and which writes diverged points as {@code NaN}, {@code Infinity} or
 * {@code -Infinity}.
 */
final class SurfaceCsv {

    static final String HEADER = "alpha,beta,loss,accuracy";

    private SurfaceCsv() {
    }

    /**
     * Formats the grid as CSV.
     *
     * @param alphas finite and strictly increasing, at least 2 values
     * @param betas finite and strictly increasing, at least 2 values
     * @param loss loss[i][j] at (alphas[i], betas[j])
     * @param accuracy accuracy[i][j] at (alphas[i], betas[j])
     * @throws IllegalArgumentException when an axis is invalid or a grid does not match the axes
     */
    static String format(double[] alphas, double[] betas, double[][] loss, double[][] accuracy) {
        ChartInputs.requireAxis("alphas", alphas);
        ChartInputs.requireAxis("betas", betas);
        ChartInputs.requireGrid("loss", loss, alphas.length, "alphas", betas.length, "betas");
        ChartInputs.requireGrid("accuracy", accuracy, alphas.length, "alphas", betas.length, "betas");

        StringBuilder csv = new StringBuilder(HEADER.length() + 1 + alphas.length * betas.length * 64);
        csv.append(HEADER).append('\n');
        for (int i = 0; i < alphas.length; i++) {
            for (int j = 0; j < betas.length; j++) {
                csv.append(alphas[i]).append(',')
                        .append(betas[j]).append(',')
                        .append(loss[i][j]).append(',')
                        .append(accuracy[i][j]).append('\n');
            }
        }
        return csv.toString();
    }
}
