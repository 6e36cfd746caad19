package io.flatnesslab.flatness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;

import io.flatnesslab.dataset.LabeledData;
import io.flatnesslab.training.NetworkFactory;
import io.flatnesslab.training.Tensors;
import io.flatnesslab.training.Trainer;
import io.flatnesslab.training.TrainingCancelledException;
import io.flatnesslab.training.TrainingSettings;
import org.assertj.core.api.ThrowableAssert;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.eigen.Eigen;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Checks the Hessian estimates against the closed-form Hessian of softmax regression, and the
 * Hessian-vector product of a ReLU network against second differences of the loss.
 */
class HessianEstimatorTests {

    private static final int FEATURES = 6;

    private static final int CLASSES = 3;

    private static final double SECOND_DIFFERENCE_STEP = 1e-4;

    private static DataSet regressionData;

    private static MultiLayerNetwork regression;

    /** θ₀ of the regression in double, fixed here because a float32 landscape moves the network's own parameters. */
    private static INDArray regressionOrigin;

    @BeforeAll
    static void trainSoftmaxRegression() {
        LabeledData regressionExamples = gaussianClasses(100, FEATURES, CLASSES, 17);
        regressionData = Tensors.dataSet(regressionExamples);
        regression = NetworkFactory.build(FEATURES, List.of(), CLASSES, 0.1, 5);
        Trainer.train(regression, regressionExamples, new TrainingSettings(0.1, 20, 20, false), 3, () -> false,
                (stats, full, last) -> { });
        regressionOrigin = regression.params().castTo(DataType.DOUBLE);
    }

    @Test
    void defaultStepNearBestStep() {
        for (Precision precision : Precision.values()) {
            try (LossLandscape landscape = regressionLandscape(precision)) {
                INDArray random = landscape.newVector();
                ParameterVectors.fillUnitRademacher(random, 3);
                INDArray top = topEigenvector(landscape);
                double defaultStep = CentralDifferenceProduct.defaultStep(landscape);

                for (INDArray direction : List.of(random, top)) {
                    double[] exact = closedFormProduct(regressionData, direction);
                    double defaultError = productError(landscape, direction, defaultStep, exact);
                    double bestError = Double.POSITIVE_INFINITY;
                    for (int k = -4; k <= 4; k++) {
                        bestError = Math.min(bestError, productError(landscape, direction, defaultStep * Math.pow(10, k / 2.0), exact));
                    }

                    assertThat(defaultError).as("%s default step error", precision).isLessThan(4 * bestError);
                    assertThat(defaultError).as("%s default step error", precision)
                            .isLessThan(precision == Precision.DOUBLE ? 1e-9 : 1e-3);
                }
            }
        }
    }

    @Test
    void powerTopThreeMatchesClosedForm() {
        double[] exact = descendingEigenvalues(regressionHessian());

        for (Precision precision : Precision.values()) {
            boolean inDouble = precision == Precision.DOUBLE;
            HessianSettings settings = new HessianSettings(3, HessianSettings.Method.POWER, 300, inDouble ? 1e-10 : 1e-4,
                    0, 0, 0, null, 41);

            HessianResult result = estimateRegression(precision, settings);

            assertTopThreeMatch(result, exact, precision);
            for (int i = 0; i < 3; i++) {
                HessianResult.Eigenvalue estimated = result.topEigenvalues().get(i);
                assertThat(estimated.iterations()).isBetween(2, 300);
                if (inDouble) {
                    assertThat(estimated.converged()).as("λ%d converged", i + 1).isTrue();
                    assertThat(estimated.relativeChange()).isLessThanOrEqualTo(1e-10);
                }
            }
        }
    }

    @Test
    void lanczosTopThreeMatchesClosedForm() {
        double[] exact = descendingEigenvalues(regressionHessian());

        for (Precision precision : Precision.values()) {
            HessianSettings settings = new HessianSettings(3, HessianSettings.Method.LANCZOS, 21, 1e-9, 0, 0, 0, null, 43);

            HessianResult result = estimateRegression(precision, settings);

            assertTopThreeMatch(result, exact, precision);
            for (int i = 0; i < 3; i++) {
                HessianResult.Eigenvalue estimated = result.topEigenvalues().get(i);
                assertThat(estimated.iterations()).isEqualTo(result.topEigenvalues().get(0).iterations()).isBetween(3, 21);
                assertThat(estimated.converged()).as("%s λ%d converged", precision, i + 1).isTrue();
            }
            assertThat(result.gradientEvaluations()).isEqualTo(2L * result.topEigenvalues().get(0).iterations());
        }
    }

    @Test
    void hutchinsonWithinStandardErrors() {
        double[][] hessian = regressionHessian();
        double exactTrace = trace(hessian);
        double exactStd = Math.sqrt(rademacherVariance(hessian));
        int samples = 200;
        HessianSettings settings = new HessianSettings(0, HessianSettings.Method.POWER, 1, 0, samples, 0, 0, null, 47);

        HessianResult.Trace trace = estimateRegression(Precision.DOUBLE, settings).trace();

        assertThat(trace.samples()).isEqualTo(samples);
        assertThat(trace.mean()).isCloseTo(exactTrace, within(4 * exactStd / Math.sqrt(samples)));
        assertThat(trace.sampleStd()).isCloseTo(exactStd, within(0.3 * exactStd));
        assertThat(trace.standardError()).isCloseTo(trace.sampleStd() / Math.sqrt(samples), within(1e-12 * trace.sampleStd()));
    }

    @Test
    void densityQuadratureMatchesMoments() {
        double[][] hessian = regressionHessian();
        int n = hessian.length;
        double largest = descendingEigenvalues(hessian)[0];
        int vectors = 10;
        HessianSettings settings = new HessianSettings(0, HessianSettings.Method.POWER, 1, 0, 0, vectors, n, null, 53);

        HessianResult.Density density = estimateRegression(Precision.DOUBLE, settings).density();

        assertThat(density.rules()).hasSize(vectors);
        for (int v = 0; v < vectors; v++) {
            HessianResult.QuadratureRule rule = density.rules().get(v);
            double[] q = unitRademacher(n, HessianEstimator.partSeed(53, HessianEstimator.DENSITY_PART, v));
            double[] hq = multiply(hessian, q);
            double[] hhq = multiply(hessian, hq);

            // The Krylov space has at most 15 dimensions: 14 distinct positive eigenvalues and the null space.
            assertThat(rule.steps()).isBetween(15, n);
            assertThat(sum(rule.weights())).isCloseTo(1, within(1e-12));
            assertThat(rule.mean()).isCloseTo(dot(q, hq), within(1e-8 * Math.abs(dot(q, hq))));
            assertThat(moment(rule, 2)).isCloseTo(dot(hq, hq), within(1e-8 * dot(hq, hq)));
            assertThat(moment(rule, 3)).isCloseTo(dot(hq, hhq), within(1e-8 * dot(hq, hhq)));
            assertThat(rule.nodes()[rule.nodes().length - 1]).isCloseTo(largest, within(1e-6 * largest));
        }

        double meanStandardError = Math.sqrt(rademacherVariance(hessian) / vectors) / n;
        assertThat(density.quadratureMean()).isCloseTo(trace(hessian) / n, within(4 * meanStandardError));
    }

    @Test
    void densityIntegratesToOne() {
        HessianSettings settings = new HessianSettings(0, HessianSettings.Method.POWER, 1, 0, 0, 4, 8, null, 59);

        HessianResult.Density density = estimateRegression(Precision.FLOAT, settings).density();

        double[] grid = density.grid();
        double[] values = density.values();
        assertThat(grid).hasSize(HessianEstimator.DENSITY_GRID_POINTS);
        double lowest = Double.POSITIVE_INFINITY;
        double highest = Double.NEGATIVE_INFINITY;
        for (HessianResult.QuadratureRule rule : density.rules()) {
            lowest = Math.min(lowest, rule.nodes()[0]);
            highest = Math.max(highest, rule.nodes()[rule.nodes().length - 1]);
        }
        double range = highest - lowest;
        assertThat(density.kernelWidth()).isCloseTo(range / 100, within(1e-12 * range));
        assertThat(grid[0]).isCloseTo(lowest - 5 * density.kernelWidth(), within(1e-9 * range));
        assertThat(grid[grid.length - 1]).isCloseTo(highest + 5 * density.kernelWidth(), within(1e-9 * range));
        double mass = 0;
        double mean = 0;
        for (int g = 1; g < grid.length; g++) {
            double spacing = grid[g] - grid[g - 1];
            mass += 0.5 * (values[g] + values[g - 1]) * spacing;
            mean += 0.5 * (grid[g] * values[g] + grid[g - 1] * values[g - 1]) * spacing;
        }
        assertThat(mass).isCloseTo(1, within(1e-12));
        assertThat(mean).isCloseTo(density.quadratureMean(), within(1e-4 * range));
        assertThat(Arrays.stream(values).min().orElseThrow()).isNotNegative();
    }

    @Test
    void reluProductMatchesLossDifferences() {
        LabeledData examples = gaussianClasses(60, 5, 3, 23);
        DataSet data = Tensors.dataSet(examples);
        MultiLayerNetwork network = NetworkFactory.build(5, List.of(4), 3, 0.1, 32);
        Trainer.train(network, examples, new TrainingSettings(0.1, 10, 5, false), 31, () -> false, (stats, full, last) -> { });
        // A ReLU kink inside the stencil of the second differences would spoil them, not the product.
        assertThat(smallestHiddenPreActivation(network, data)).isGreaterThan(2 * SECOND_DIFFERENCE_STEP * largestFeature(data));

        try (LossLandscape landscape = new LossLandscape(network, data, Precision.DOUBLE, EvaluationListener.NONE, () -> false);
                CentralDifferenceProduct product = new CentralDifferenceProduct(landscape, CentralDifferenceProduct.defaultStep(landscape))) {
            int n = (int) landscape.parameterCount();
            INDArray basisVector = landscape.newVector();
            INDArray column = landscape.newVector();
            for (int i : new int[] {0, 7, 19, 22, 30, n - 1}) {
                basisVector.assign(0).putScalar(i, 1.0);
                product.apply(basisVector, column);

                double[] expected = secondDifferenceColumn(landscape, i);
                double[] computed = column.reshape(-1).toDoubleVector();
                double scale = Math.sqrt(dot(expected, expected));
                assertThat(scale).as("column %d norm", i).isGreaterThan(1e-6);
                for (int j = 0; j < n; j++) {
                    assertThat(computed[j]).as("H[%d, %d]", j, i).isCloseTo(expected[j], within(1e-6 * scale));
                }
            }
        }
    }

    @Test
    void reluProductIsSymmetric() {
        LabeledData examples = gaussianClasses(60, 5, 3, 37);
        MultiLayerNetwork network = NetworkFactory.build(5, List.of(6, 4), 3, 0.1, 39);
        Trainer.train(network, examples, new TrainingSettings(0.1, 10, 5, false), 41, () -> false, (stats, full, last) -> { });

        try (LossLandscape landscape = new LossLandscape(network, Tensors.dataSet(examples), Precision.DOUBLE,
                EvaluationListener.NONE, () -> false);
                CentralDifferenceProduct product = new CentralDifferenceProduct(landscape, CentralDifferenceProduct.defaultStep(landscape))) {
            INDArray v = landscape.newVector();
            INDArray w = landscape.newVector();
            ParameterVectors.fillUnitRademacher(v, 1);
            ParameterVectors.fillUnitRademacher(w, 2);
            INDArray hv = landscape.newVector();
            INDArray hw = landscape.newVector();

            product.apply(v, hv);
            product.apply(w, hw);

            double vHw = ParameterVectors.dot(v, hw);
            double wHv = ParameterVectors.dot(w, hv);
            double scale = Math.max(ParameterVectors.norm(hv), ParameterVectors.norm(hw));
            assertThat(scale).isGreaterThan(1e-4);
            assertThat(vHw).isCloseTo(wHv, within(1e-10 * scale));
        }
    }

    @Test
    void estimateRestoresParametersAndCounts() {
        float[] before = regression.params().toFloatVector();
        HessianSettings settings = new HessianSettings(2, HessianSettings.Method.POWER, 5, 0, 3, 2, 4, null, 61);

        try (LossLandscape landscape = LossLandscape.of(regression, regressionData)) {
            HessianResult result = HessianEstimator.estimate(landscape, settings);

            assertThat(regression.params().toFloatVector()).isEqualTo(before);
            assertThat(result.gradientEvaluations()).isEqualTo(HessianEstimator.plannedGradientEvaluations(settings))
                    .isEqualTo(2L * (2 * 5 + 3 + 2 * 4))
                    .isEqualTo(landscape.gradientEvaluations());
            assertThat(landscape.lossEvaluations()).isEqualTo(HessianEstimator.plannedLossEvaluations(settings)).isZero();
            assertThat(result.topEigenvalues()).allSatisfy(eigenvalue -> {
                assertThat(eigenvalue.iterations()).isEqualTo(5);
                assertThat(eigenvalue.converged()).isFalse();
            });
            assertThat(result.finiteDifferenceStep()).isEqualTo(HessianEstimator.defaultFiniteDifferenceStep(landscape));
        }

        HessianSettings lanczos = new HessianSettings(2, HessianSettings.Method.LANCZOS, 6, 0, 0, 0, 0, 1e-3, 61);
        try (LossLandscape landscape = LossLandscape.of(regression, regressionData)) {
            HessianResult result = HessianEstimator.estimate(landscape, lanczos);

            assertThat(regression.params().toFloatVector()).isEqualTo(before);
            assertThat(result.gradientEvaluations()).isEqualTo(HessianEstimator.plannedGradientEvaluations(lanczos)).isEqualTo(12);
            assertThat(result.finiteDifferenceStep()).isEqualTo(1e-3);
        }
    }

    @Test
    void cancelledEstimateRestoresParameters() {
        float[] before = regression.params().toFloatVector();
        List<HessianSettings> parts = List.of(
                new HessianSettings(2, HessianSettings.Method.POWER, 50, 0, 0, 0, 0, null, 67),
                new HessianSettings(2, HessianSettings.Method.LANCZOS, 10, 0, 0, 0, 0, null, 67),
                new HessianSettings(0, HessianSettings.Method.POWER, 1, 0, 10, 0, 0, null, 67),
                new HessianSettings(0, HessianSettings.Method.POWER, 1, 0, 0, 3, 10, null, 67));

        for (HessianSettings settings : parts) {
            AtomicInteger polls = new AtomicInteger();
            try (LossLandscape landscape = new LossLandscape(regression, regressionData, Precision.FLOAT, EvaluationListener.NONE,
                    () -> polls.incrementAndGet() > 7)) {

                assertThatThrownBy(() -> HessianEstimator.estimate(landscape, settings))
                        .isInstanceOf(TrainingCancelledException.class);

                assertThat(landscape.gradientEvaluations()).isEqualTo(7);
                assertThat(regression.params().toFloatVector()).isEqualTo(before);
            }
        }
    }

    @Test
    void disabledPartsAreEmpty() {
        HessianSettings settings = new HessianSettings(0, HessianSettings.Method.LANCZOS, 1, 0, 0, 0, 0, null, 71);

        HessianResult result = estimateRegression(Precision.FLOAT, settings);

        assertThat(result.topEigenvalues()).isEmpty();
        assertThat(result.trace()).isNull();
        assertThat(result.density()).isNull();
        assertThat(result.gradientEvaluations()).isZero();
        assertThat(HessianEstimator.plannedGradientEvaluations(settings)).isZero();
        assertThat(HessianEstimator.vectorsNeeded(settings)).isZero();
    }

    @Test
    void vectorsNeededFollowsLargestPart() {
        assertThat(HessianEstimator.vectorsNeeded(new HessianSettings(3, HessianSettings.Method.POWER, 100, 0, 10, 0, 0, null, 1)))
                .isEqualTo(2 + 3 + 1);
        assertThat(HessianEstimator.vectorsNeeded(new HessianSettings(3, HessianSettings.Method.POWER, 100, 0, 10, 5, 20, null, 1)))
                .isEqualTo(2 + 20 + 1);
        assertThat(HessianEstimator.vectorsNeeded(new HessianSettings(3, HessianSettings.Method.LANCZOS, 30, 0, 10, 5, 20, null, 1)))
                .isEqualTo(2 + 30 + 1);
        assertThat(HessianEstimator.vectorsNeeded(new HessianSettings(0, HessianSettings.Method.POWER, 1, 0, 10, 0, 0, null, 1)))
                .isEqualTo(2 + 2);
        assertThat(HessianEstimator.plannedGradientEvaluations(
                new HessianSettings(3, HessianSettings.Method.LANCZOS, 30, 0, 10, 5, 20, null, 1)))
                .isEqualTo(2L * (30 + 10 + 5 * 20));
    }

    @Test
    void sameSeedSameEstimate() {
        HessianSettings settings = new HessianSettings(2, HessianSettings.Method.POWER, 20, 1e-6, 5, 2, 5, null, 73);

        HessianResult first = estimateRegression(Precision.FLOAT, settings);
        HessianResult second = estimateRegression(Precision.FLOAT, settings);

        assertThat(second.topEigenvalues()).isEqualTo(first.topEigenvalues());
        assertThat(second.trace()).isEqualTo(first.trace());
        assertThat(second.density().values()).containsExactly(first.density().values());
    }

    @Test
    void rademacherSameInBothPrecisions() {
        INDArray single = Nd4j.zeros(DataType.FLOAT, 1, 70_001);
        INDArray twice = Nd4j.zeros(DataType.DOUBLE, 1, 70_001);

        ParameterVectors.fillUnitRademacher(single, 79);
        ParameterVectors.fillUnitRademacher(twice, 79);

        double magnitude = 1 / Math.sqrt(70_001);
        double[] signs = single.castTo(DataType.DOUBLE).reshape(-1).toDoubleVector();
        double[] exact = twice.reshape(-1).toDoubleVector();
        for (int i = 0; i < exact.length; i++) {
            assertThat(Math.abs(exact[i])).isEqualTo(magnitude);
            assertThat(Math.signum(signs[i])).isEqualTo(Math.signum(exact[i]));
        }
        assertThat(ParameterVectors.norm(twice)).isCloseTo(1, within(1e-12));
        assertThat(ParameterVectors.norm(single)).isCloseTo(1, within(1e-6));
        assertThat(ParameterVectors.dot(single, twice)).isCloseTo(1, within(1e-6));
    }

    @Test
    void dotSumsChunksInDouble() {
        long length = 3L * ParameterVectors.CHUNK + 5;
        INDArray a = Nd4j.zeros(DataType.FLOAT, 1, length);
        INDArray b = Nd4j.zeros(DataType.FLOAT, 1, length);
        ParameterVectors.fillUnitRademacher(a, 83);
        ParameterVectors.fillUnitRademacher(b, 89);
        double exact = a.castTo(DataType.DOUBLE).mul(b.castTo(DataType.DOUBLE)).sumNumber().doubleValue();

        double chunked = ParameterVectors.dot(a, b);

        assertThat(chunked).isCloseTo(exact, within(1e-12));
        assertThat(ParameterVectors.norm(a)).isCloseTo(1, within(1e-6));
    }

    @Test
    void settingsRejectOutOfRange() {
        assertRejected(() -> new HessianSettings(-1, HessianSettings.Method.POWER, 10, 0, 0, 0, 0, null, 1), "topK must be in [0, 100]");
        assertRejected(() -> new HessianSettings(1, null, 10, 0, 0, 0, 0, null, 1), "method");
        assertRejected(() -> new HessianSettings(1, HessianSettings.Method.POWER, 0, 0, 0, 0, 0, null, 1),
                "maxIterations must be in [1, 100000]");
        assertRejected(() -> new HessianSettings(5, HessianSettings.Method.LANCZOS, 3, 0, 0, 0, 0, null, 1),
                "maxIterations must be in [5, 1000]");
        assertRejected(() -> new HessianSettings(1, HessianSettings.Method.POWER, 10, Double.NaN, 0, 0, 0, null, 1),
                "tolerance must be in [0, 1)");
        assertRejected(() -> new HessianSettings(1, HessianSettings.Method.POWER, 10, 0, -1, 0, 0, null, 1),
                "traceSamples must be in [0, 100000]");
        assertRejected(() -> new HessianSettings(1, HessianSettings.Method.POWER, 10, 0, 0, -2, 0, null, 1),
                "densityVectors must be in [0, 100000]");
        assertRejected(() -> new HessianSettings(1, HessianSettings.Method.POWER, 10, 0, 0, 1, 0, null, 1),
                "lanczosSteps must be in [1, 1000]");
        assertRejected(() -> new HessianSettings(1, HessianSettings.Method.POWER, 10, 0, 0, 0, 0, 0.0, 1),
                "finiteDifferenceStep must be positive");
    }

    /** Asserts λ₁, λ₂, λ₃ within 1e−6 relative of the exact ones in float64 and 1e−3 in float32. */
    private static void assertTopThreeMatch(HessianResult result, double[] exact, Precision precision) {
        double tolerance = precision == Precision.DOUBLE ? 1e-6 : 1e-3;
        assertThat(result.topEigenvalues()).extracting(HessianResult.Eigenvalue::index).containsExactly(1, 2, 3);
        for (int i = 0; i < 3; i++) {
            assertThat(result.topEigenvalues().get(i).value()).as("%s λ%d", precision, i + 1)
                    .isCloseTo(exact[i], within(tolerance * exact[i]));
        }
    }

    private static void assertRejected(ThrowableAssert.ThrowingCallable construction, String message) {
        assertThatThrownBy(construction).isInstanceOf(IllegalArgumentException.class).hasMessageContaining(message);
    }

    private static HessianResult estimateRegression(Precision precision, HessianSettings settings) {
        try (LossLandscape landscape = regressionLandscape(precision)) {
            return HessianEstimator.estimate(landscape, settings);
        }
    }

    private static LossLandscape regressionLandscape(Precision precision) {
        return new LossLandscape(regression, regressionData, precision, EvaluationListener.NONE, () -> false);
    }

    /** Returns the closed-form Hessian of the trained softmax regression, column by column. */
    private static double[][] regressionHessian() {
        int n = (int) regressionOrigin.length();
        double[][] hessian = new double[n][];
        for (int i = 0; i < n; i++) {
            INDArray basisVector = Nd4j.zeros(DataType.DOUBLE, 1, n).putScalar(i, 1.0);
            hessian[i] = closedFormProduct(regressionData, basisVector);
        }
        return hessian;
    }

    /** Returns the eigenvalues of a symmetric matrix by LAPACK (ND4J's syev), largest first. */
    private static double[] descendingEigenvalues(double[][] matrix) {
        INDArray values = Eigen.symmetricGeneralizedEigenvalues(Nd4j.create(matrix), false);
        double[] ascending = values.toDoubleVector();
        Arrays.sort(ascending);
        double[] descending = new double[ascending.length];
        for (int i = 0; i < ascending.length; i++) {
            descending[i] = ascending[ascending.length - 1 - i];
        }
        return descending;
    }

    /** Returns the eigenvector of the largest eigenvalue of the regression Hessian, by power iteration in double. */
    private static INDArray topEigenvector(LossLandscape landscape) {
        double[][] hessian = regressionHessian();
        double[] v = unitRademacher(hessian.length, 5);
        for (int t = 0; t < 5000; t++) {
            double[] image = multiply(hessian, v);
            double norm = Math.sqrt(dot(image, image));
            for (int i = 0; i < v.length; i++) {
                v[i] = image[i] / norm;
            }
        }
        double[] image = multiply(hessian, v);
        double value = dot(v, image);
        double residual = 0;
        for (int i = 0; i < v.length; i++) {
            residual += (image[i] - value * v[i]) * (image[i] - value * v[i]);
        }
        assertThat(Math.sqrt(residual)).as("eigenvector residual").isLessThan(1e-10 * value);
        return Nd4j.createFromArray(v).reshape(landscape.origin().shape()).castTo(landscape.dataType());
    }

    private static double productError(LossLandscape landscape, INDArray direction, double step, double[] exact) {
        try (CentralDifferenceProduct product = new CentralDifferenceProduct(landscape, step)) {
            INDArray computed = landscape.newVector();
            product.apply(direction, computed);
            return relativeError(computed, exact);
        }
    }

    /**
     * Returns column i of the Hessian by second differences of the loss, in double.
     * <pre>
     *   H_ji ≈ [L(θ + h·e_i + h·e_j) − L(θ + h·e_i − h·e_j) − L(θ − h·e_i + h·e_j) + L(θ − h·e_i − h·e_j)] / 4h²
     * </pre>
     */
    private static double[] secondDifferenceColumn(LossLandscape landscape, int i) {
        double h = SECOND_DIFFERENCE_STEP;
        int n = (int) landscape.parameterCount();
        double[] column = new double[n];
        INDArray offset = landscape.newVector();
        for (int j = 0; j < n; j++) {
            double sum = 0;
            for (int[] signs : new int[][] {{1, 1}, {1, -1}, {-1, 1}, {-1, -1}}) {
                offset.assign(0);
                offset.putScalar(i, signs[0] * h);
                offset.putScalar(j, offset.getDouble(j) + signs[1] * h);
                sum += signs[0] * signs[1] * landscape.evaluateOffset(offset).loss();
            }
            column[j] = sum / (4 * h * h);
        }
        return column;
    }

    /** Returns min |x·W₁ + b₁| over examples and units of the first hidden layer. */
    private static double smallestHiddenPreActivation(MultiLayerNetwork network, DataSet data) {
        ParameterLayout layout = ParameterLayout.of(network);
        INDArray theta = network.params().castTo(DataType.DOUBLE);
        INDArray preActivations = data.getFeatures().castTo(DataType.DOUBLE).mmul(layout.weights(theta, 0))
                .addRowVector(layout.bias(theta, 0));
        return Transforms.abs(preActivations).minNumber().doubleValue();
    }

    private static double largestFeature(DataSet data) {
        return Math.max(1, Transforms.abs(data.getFeatures()).maxNumber().doubleValue());
    }

    private static double trace(double[][] matrix) {
        double sum = 0;
        for (int i = 0; i < matrix.length; i++) {
            sum += matrix[i][i];
        }
        return sum;
    }

    /** Returns Var(zᵀHz) = 2·Σ_(i≠j) H_ij² for Rademacher z. */
    private static double rademacherVariance(double[][] matrix) {
        double sum = 0;
        for (int i = 0; i < matrix.length; i++) {
            for (int j = 0; j < matrix.length; j++) {
                if (i != j) {
                    sum += matrix[i][j] * matrix[i][j];
                }
            }
        }
        return 2 * sum;
    }

    private static double moment(HessianResult.QuadratureRule rule, int power) {
        double sum = 0;
        for (int j = 0; j < rule.nodes().length; j++) {
            sum += rule.weights()[j] * Math.pow(rule.nodes()[j], power);
        }
        return sum;
    }

    private static double[] unitRademacher(int n, long seed) {
        INDArray vector = Nd4j.zeros(DataType.DOUBLE, 1, n);
        ParameterVectors.fillUnitRademacher(vector, seed);
        return vector.reshape(-1).toDoubleVector();
    }

    private static double[] multiply(double[][] matrix, double[] vector) {
        double[] product = new double[matrix.length];
        for (int i = 0; i < matrix.length; i++) {
            product[i] = dot(matrix[i], vector);
        }
        return product;
    }

    private static double dot(double[] a, double[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            sum += a[i] * b[i];
        }
        return sum;
    }

    private static double sum(double[] values) {
        double sum = 0;
        for (double value : values) {
            sum += value;
        }
        return sum;
    }

    /** Returns ||computed − exact|| / ||exact||. */
    private static double relativeError(INDArray computed, double[] exact) {
        double[] values = computed.castTo(DataType.DOUBLE).reshape(-1).toDoubleVector();
        double difference = 0;
        double norm = 0;
        for (int i = 0; i < exact.length; i++) {
            difference += (values[i] - exact[i]) * (values[i] - exact[i]);
            norm += exact[i] * exact[i];
        }
        return Math.sqrt(difference / norm);
    }

    /**
     * Computes H·v of softmax regression from the closed form H = (1/n)·Σ_x J_xᵀ·(diag p − p·pᵀ)·J_x,
     * J_x = ∂z/∂θ for the logits z = x·W + b, in double.
     */
    private static double[] closedFormProduct(DataSet data, INDArray v) {
        ParameterLayout layout = ParameterLayout.of(regression);
        INDArray theta = regressionOrigin;
        INDArray direction = v.castTo(DataType.DOUBLE);
        INDArray weights = layout.weights(theta, 0);
        INDArray bias = layout.bias(theta, 0);
        INDArray directionWeights = layout.weights(direction, 0);
        INDArray directionBias = layout.bias(direction, 0);
        int inputs = (int) weights.size(0);
        int classes = (int) weights.size(1);
        double[][] features = data.getFeatures().castTo(DataType.DOUBLE).toDoubleMatrix();
        int n = features.length;

        double[] product = new double[(int) layout.parameterCount()];
        for (double[] x : features) {
            double[] p = softmax(x, weights, bias);
            double[] logitChange = new double[classes];
            for (int j = 0; j < classes; j++) {
                logitChange[j] = directionBias.getDouble(j);
                for (int i = 0; i < inputs; i++) {
                    logitChange[j] += x[i] * directionWeights.getDouble(i, j);
                }
            }
            double mean = 0;
            for (int j = 0; j < classes; j++) {
                mean += p[j] * logitChange[j];
            }
            for (int j = 0; j < classes; j++) {
                double curvature = p[j] * (logitChange[j] - mean) / n;
                for (int i = 0; i < inputs; i++) {
                    product[j * inputs + i] += x[i] * curvature;
                }
                product[inputs * classes + j] += curvature;
            }
        }
        return product;
    }

    private static double[] softmax(double[] x, INDArray weights, INDArray bias) {
        int classes = (int) weights.size(1);
        double[] logits = new double[classes];
        double largest = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < classes; j++) {
            logits[j] = bias.getDouble(j);
            for (int i = 0; i < x.length; i++) {
                logits[j] += x[i] * weights.getDouble(i, j);
            }
            largest = Math.max(largest, logits[j]);
        }
        double sum = 0;
        for (int j = 0; j < classes; j++) {
            logits[j] = Math.exp(logits[j] - largest);
            sum += logits[j];
        }
        for (int j = 0; j < classes; j++) {
            logits[j] /= sum;
        }
        return logits;
    }

    /** Returns n examples of classes with Gaussian clusters around random means. */
    private static LabeledData gaussianClasses(int n, int features, int classes, long seed) {
        Random random = new Random(seed);
        double[][] means = new double[classes][features];
        for (double[] mean : means) {
            for (int i = 0; i < features; i++) {
                mean[i] = 1.5 * random.nextGaussian();
            }
        }
        float[] values = new float[n * features];
        int[] labels = new int[n];
        for (int r = 0; r < n; r++) {
            labels[r] = r % classes;
            for (int i = 0; i < features; i++) {
                values[r * features + i] = (float) (means[labels[r]][i] + random.nextGaussian());
            }
        }
        return new LabeledData(values, labels, features, classes);
    }
}
