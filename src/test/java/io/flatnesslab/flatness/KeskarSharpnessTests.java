package io.flatnesslab.flatness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/** Checks Keskar ε-sharpness against box corners, the box itself and first-order bounds. */
class KeskarSharpnessTests {

    private static SharpnessFixtures.Trained relu;

    private static SharpnessFixtures.Trained softmax;

    @BeforeAll
    static void trainNetworks() {
        relu = SharpnessFixtures.trainOnDigits(List.of(16), 100, 20, 51);
        // A few epochs only, so the gradient at θ₀ stays clearly non-zero.
        softmax = SharpnessFixtures.trainOnDigits(List.of(), 100, 3, 53);
    }

    @Test
    void exceedsRandomBoxCorners() {
        double epsilon = 5e-3;
        KeskarSettings settings = new KeskarSettings(epsilon, 5, 0.5, 1, 100, 3);

        try (LossLandscape landscape = LossLandscape.of(relu.network(), relu.data())) {
            KeskarResult result = KeskarSharpness.measure(landscape, settings);

            double baseline = landscape.evaluate(landscape.origin()).loss();
            INDArray halfWidths = Transforms.abs(landscape.origin(), true).addi(1).muli(epsilon);
            INDArray corner = landscape.newVector();
            for (int k = 0; k < 5; k++) {
                RandomDirections.sampleUnit(corner, 400 + k);
                Transforms.sign(corner, false).muli(halfWidths);
                double increase = landscape.evaluateOffset(corner).loss() - baseline;

                assertThat(result.sharpness()).isGreaterThanOrEqualTo(100 * increase / (1 + baseline));
            }
            assertThat(result.sharpness()).isPositive();
        }
    }

    @Test
    void optimumLiesInBox() {
        double epsilon = 1e-2;
        KeskarSettings settings = new KeskarSettings(epsilon, 6, 0.5, 1, 100, 5);

        try (LossLandscape landscape = new LossLandscape(relu.network(), relu.data(), Precision.DOUBLE,
                EvaluationListener.NONE, () -> false)) {
            INDArray best = landscape.newVector();
            KeskarResult result = KeskarSharpness.measure(landscape, settings, best);

            INDArray halfWidths = Transforms.abs(landscape.origin(), true).addi(1).muli(epsilon);
            INDArray ratios = Transforms.abs(best.sub(landscape.origin()), false).divi(halfWidths);
            double reached = landscape.evaluate(best).loss() - result.baselineLoss();
            assertThat(ratios.maxNumber().doubleValue()).isLessThanOrEqualTo(1 + 1e-9);
            assertThat(ratios.maxNumber().doubleValue()).isGreaterThan(0.99);
            assertThat(result.maxIncrease()).isCloseTo(reached, within(1e-9));
        }
    }

    @Test
    void softmaxRegressionMeetsFirstOrderBounds() {
        double epsilon = 1e-3;
        KeskarSettings settings = new KeskarSettings(epsilon, 4, 1.0, 1, 100, 7);

        try (LossLandscape landscape = new LossLandscape(softmax.network(), softmax.data(), Precision.DOUBLE,
                EvaluationListener.NONE, () -> false)) {
            INDArray gradient = landscape.newVector();
            double baseline = landscape.gradient(landscape.origin(), gradient);
            INDArray halfWidths = Transforms.abs(landscape.origin(), true).addi(1).muli(epsilon);
            double linearMax = Transforms.abs(gradient, true).muli(halfWidths).sumNumber().doubleValue();
            double squaredCornerNorm = halfWidths.mul(halfWidths).sumNumber().doubleValue();
            double curvatureBound = 0.5 * SharpnessFixtures.meanSquaredExtendedInputNorm(landscape.data());

            KeskarResult result = KeskarSharpness.measure(landscape, settings);

            // The loss is convex, so the first step to the corner w ⊙ sign(g) already rises by at
            // least gᵀδ = Σ|g_i|·w_i. The Hessian bound limits the second-order term in the box.
            double upper = linearMax + 0.5 * squaredCornerNorm * curvatureBound;
            assertThat(result.maxIncrease()).isGreaterThanOrEqualTo(linearMax - 1e-12);
            assertThat(result.maxIncrease()).isLessThanOrEqualTo(upper);
            assertThat(result.sharpness()).isGreaterThanOrEqualTo(100 * (linearMax - 1e-12) / (1 + baseline));
            assertThat(result.baselineLoss()).isCloseTo(baseline, within(1e-12));
        }
    }

    @Test
    void sharpnessIsRelativeIncreaseInPercent() {
        KeskarSettings settings = new KeskarSettings(KeskarSettings.DEFAULT_EPSILON, 3, 0.5, 1, 100, 9);

        try (LossLandscape landscape = LossLandscape.of(relu.network(), relu.data())) {
            KeskarResult result = KeskarSharpness.measure(landscape, settings);

            assertThat(result.sharpness()).isGreaterThanOrEqualTo(0.0);
            assertThat(result.sharpness())
                    .isCloseTo(100 * result.maxIncrease() / (1 + result.baselineLoss()), within(1e-12));
            assertThat(result.perBatch()).containsExactly(result.sharpness());
            assertThat(landscape.gradientEvaluations()).isEqualTo(KeskarSharpness.plannedGradientEvaluations(settings));
            assertThat(landscape.lossEvaluations()).isZero();
        }
    }

    @Test
    void batchesAverageAndRepeat() {
        KeskarSettings settings = new KeskarSettings(2e-3, 2, 1.0, 4, 20, 11);
        float[] before = relu.network().params().toFloatVector();

        KeskarResult first;
        KeskarResult second;
        try (LossLandscape landscape = LossLandscape.of(relu.network(), relu.data())) {
            first = KeskarSharpness.measure(landscape, settings);
            second = KeskarSharpness.measure(landscape, settings);
        }

        double[] values = first.perBatch().stream().mapToDouble(Double::doubleValue).toArray();
        assertThat(values).hasSize(4);
        assertThat(first.sharpness()).isEqualTo(Statistics.mean(values));
        assertThat(second).isEqualTo(first);
        assertThat(relu.network().params().toFloatVector()).isEqualTo(before);
    }

    @Test
    void rejectsInvalidSettings() {
        assertThatThrownBy(() -> new KeskarSettings(0, 1, 0.5, 1, 1, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("epsilon");
        assertThatThrownBy(() -> new KeskarSettings(1e-3, -1, 0.5, 1, 1, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("iterations");
        assertThatThrownBy(() -> new KeskarSettings(1e-3, 1, 0, 1, 1, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("stepSize");
        assertThatThrownBy(() -> new KeskarSettings(1e-3, 1, 0.5, 0, 1, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("batches");
        assertThatThrownBy(() -> new KeskarSettings(1e-3, 1, 0.5, 1, 0, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("batchSize");
    }
}
