package io.flatnesslab.flatness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import io.flatnesslab.training.TrainingCancelledException;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Checks worst-case sharpness against random directions, the feasible ball, first-order bounds
 * on softmax regression, and the rescaling invariance of the adaptive version.
 */
class WorstCaseSharpnessTests {

    private static SharpnessFixtures.Trained relu;

    private static SharpnessFixtures.Trained softmax;

    @BeforeAll
    static void trainNetworks() {
        relu = SharpnessFixtures.trainOnDigits(List.of(16), 100, 20, 41);
        // A few epochs only, so the gradient at θ₀ stays clearly non-zero.
        softmax = SharpnessFixtures.trainOnDigits(List.of(), 100, 3, 43);
    }

    @Test
    void exceedsRandomDirectionIncreases() {
        double radius = 0.5;
        WorstCaseSettings settings = new WorstCaseSettings(radius, false, 8, 0.5, 2, 1, 100, 5);

        try (LossLandscape landscape = LossLandscape.of(relu.network(), relu.data())) {
            double worst = WorstCaseSharpness.measure(landscape, settings).perBatch().get(0);

            double baseline = landscape.evaluate(landscape.origin()).loss();
            double[] increases = new double[6];
            INDArray direction = landscape.newVector();
            for (int k = 0; k < increases.length; k++) {
                RandomDirections.sampleUnit(direction, 300 + k);
                increases[k] = landscape.evaluateOffset(direction.mul(radius)).loss() - baseline;
            }

            assertThat(worst).isGreaterThan(Statistics.mean(increases));
            for (double increase : increases) {
                assertThat(worst).isGreaterThanOrEqualTo(increase);
            }
        }
    }

    @Test
    void optimumLiesInBall() {
        double radius = 0.3;
        WorstCaseSettings settings = new WorstCaseSettings(radius, false, 6, 0.5, 2, 1, 100, 7);

        try (LossLandscape landscape = new LossLandscape(relu.network(), relu.data(), Precision.DOUBLE,
                EvaluationListener.NONE, () -> false)) {
            INDArray best = landscape.newVector();
            WorstCaseResult result = WorstCaseSharpness.measure(landscape, settings, best);

            double norm = best.sub(landscape.origin()).norm2Number().doubleValue();
            double reached = landscape.evaluate(best).loss() - result.baselinePerBatch().get(0);
            assertThat(norm).isPositive();
            assertThat(norm).isLessThanOrEqualTo(radius * (1 + 1e-6));
            assertThat(result.perBatch().get(0)).isCloseTo(reached, within(1e-9));
        }
    }

    @Test
    void adaptiveOptimumLiesInScaledBall() {
        double radius = 0.2;
        WorstCaseSettings settings = new WorstCaseSettings(radius, true, 6, 0.5, 2, 1, 100, 9);

        try (LossLandscape landscape = new LossLandscape(relu.network(), relu.data(), Precision.DOUBLE,
                EvaluationListener.NONE, () -> false)) {
            INDArray best = landscape.newVector();
            WorstCaseSharpness.measure(landscape, settings, best);

            INDArray delta = best.sub(landscape.origin());
            INDArray magnitudes = Transforms.abs(landscape.origin(), true);
            INDArray atZero = magnitudes.eq(0);
            INDArray scaled = delta.div(Transforms.max(magnitudes, Double.MIN_NORMAL, true));
            double scaledNorm = scaled.norm2Number().doubleValue();
            assertThat(scaledNorm).isPositive();
            assertThat(scaledNorm).isLessThanOrEqualTo(radius * (1 + 1e-6));
            assertThat(delta.mul(atZero.castTo(DataType.DOUBLE)).amaxNumber().doubleValue()).isZero();
        }
    }

    @Test
    void softmaxRegressionMeetsFirstOrderBounds() {
        double radius = 1e-3;
        WorstCaseSettings plain = new WorstCaseSettings(radius, false, 5, 1.0, 1, 1, 100, 11);
        WorstCaseSettings adaptive = new WorstCaseSettings(radius, true, 5, 1.0, 1, 1, 100, 11);

        try (LossLandscape landscape = new LossLandscape(softmax.network(), softmax.data(), Precision.DOUBLE,
                EvaluationListener.NONE, () -> false)) {
            INDArray gradient = landscape.newVector();
            landscape.gradient(landscape.origin(), gradient);
            double gradientNorm = gradient.norm2Number().doubleValue();
            double scaledGradientNorm = gradient.mul(Transforms.abs(landscape.origin(), true)).norm2Number()
                    .doubleValue();
            double curvatureBound = 0.5 * SharpnessFixtures.meanSquaredExtendedInputNorm(landscape.data());

            double plainValue = WorstCaseSharpness.measure(landscape, plain).mean();
            double adaptiveValue = WorstCaseSharpness.measure(landscape, adaptive).mean();

            // The loss is convex, so it lies above its tangent plane and S_ρ ≥ ρ·||g|| exactly.
            // The Hessian bound limits the second-order term over the ball of radius ρ.
            assertThat(gradientNorm).isGreaterThan(0.05);
            assertThat(plainValue).isGreaterThanOrEqualTo(radius * gradientNorm - 1e-12);
            assertThat(plainValue).isLessThanOrEqualTo(radius * gradientNorm + 0.5 * radius * radius * curvatureBound);
            assertThat(adaptiveValue).isGreaterThanOrEqualTo(radius * scaledGradientNorm - 1e-12);
            assertThat(adaptiveValue).isLessThan(plainValue);
        }
    }

    @Test
    void adaptiveInvariantToLayerRescaling() {
        // A power of two keeps the rescaled arithmetic exact apart from summation order.
        MultiLayerNetwork rescaled = SharpnessFixtures.rescaled(relu.network(), 4.0);
        INDArray features = relu.data().getFeatures();
        assertThat(rescaled.output(features, false).sub(relu.network().output(features, false)).amaxNumber()
                .doubleValue()).isLessThan(1e-5);
        WorstCaseSettings adaptive = new WorstCaseSettings(0.1, true, 5, 0.5, 2, 2, 50, 13);
        WorstCaseSettings plain = new WorstCaseSettings(0.5, false, 5, 0.5, 2, 2, 50, 13);

        WorstCaseResult originalAdaptive = measure(relu.network(), relu.data(), adaptive);
        WorstCaseResult rescaledAdaptive = measure(rescaled, relu.data(), adaptive);
        WorstCaseResult originalPlain = measure(relu.network(), relu.data(), plain);
        WorstCaseResult rescaledPlain = measure(rescaled, relu.data(), plain);

        assertThat(originalAdaptive.mean()).isPositive();
        assertThat(rescaledAdaptive.mean()).isCloseTo(originalAdaptive.mean(), within(1e-5 * originalAdaptive.mean()));
        for (int b = 0; b < 2; b++) {
            assertThat(rescaledAdaptive.perBatch().get(b))
                    .isCloseTo(originalAdaptive.perBatch().get(b), within(1e-5 * originalAdaptive.perBatch().get(b)));
        }
        assertThat(Math.abs(rescaledPlain.mean() - originalPlain.mean())).isGreaterThan(0.1 * originalPlain.mean());
    }

    @Test
    void sameSeedSameResult() {
        WorstCaseSettings settings = new WorstCaseSettings(0.2, false, 3, 0.5, 2, 3, 30, 17);
        WorstCaseSettings otherSeed = new WorstCaseSettings(0.2, false, 3, 0.5, 2, 3, 30, 18);
        float[] before = relu.network().params().toFloatVector();

        WorstCaseResult first = measure(relu.network(), relu.data(), settings);
        WorstCaseResult second = measure(relu.network(), relu.data(), settings);
        WorstCaseResult third = measure(relu.network(), relu.data(), otherSeed);

        assertThat(second).isEqualTo(first);
        assertThat(third.perBatch()).isNotEqualTo(first.perBatch());
        assertThat(relu.network().params().toFloatVector()).isEqualTo(before);
    }

    @Test
    void resultSummarizesBatches() {
        WorstCaseSettings settings = new WorstCaseSettings(0.2, true, 2, 1.0, 1, 4, 25, 19);

        try (LossLandscape landscape = LossLandscape.of(relu.network(), relu.data())) {
            WorstCaseResult result = WorstCaseSharpness.measure(landscape, settings);

            double[] values = result.perBatch().stream().mapToDouble(Double::doubleValue).toArray();
            double mean = Statistics.mean(values);
            double squares = 0;
            for (double value : values) {
                squares += (value - mean) * (value - mean);
            }
            assertThat(values).hasSize(4);
            assertThat(result.perBatch()).allSatisfy(value -> assertThat(value).isGreaterThanOrEqualTo(0.0));
            assertThat(result.baselinePerBatch()).hasSize(4);
            assertThat(result.mean()).isEqualTo(mean);
            assertThat(result.std()).isCloseTo(Math.sqrt(squares / 3), within(1e-12));
            assertThat(landscape.gradientEvaluations())
                    .isEqualTo(WorstCaseSharpness.plannedGradientEvaluations(settings));
            assertThat(landscape.lossEvaluations()).isEqualTo(WorstCaseSharpness.plannedLossEvaluations(settings));
        }
    }

    @Test
    void zeroIterationsFromOriginGiveZero() {
        WorstCaseSettings settings = new WorstCaseSettings(0.5, false, 0, 0.5, 1, 1, 100, 23);

        WorstCaseResult result = measure(relu.network(), relu.data(), settings);

        assertThat(result.perBatch()).containsExactly(0.0);
        assertThat(result.std()).isNull();
    }

    @Test
    void minibatchesAreDisjointRows() {
        INDArray rowIndex = Nd4j.arange(12).castTo(DataType.FLOAT).reshape(12, 1);
        DataSet data = new DataSet(rowIndex, Nd4j.ones(DataType.FLOAT, 12, 1));

        Minibatches minibatches = Minibatches.of(data, 3, 4, 29);

        Set<Integer> seen = new HashSet<>();
        for (int b = 0; b < 3; b++) {
            DataSet batch = minibatches.batch(b);
            assertThat(batch.numExamples()).isEqualTo(4);
            for (int i = 0; i < 4; i++) {
                seen.add(batch.getFeatures().getInt(i, 0));
            }
        }
        assertThat(seen).hasSize(12);
        assertThat(Minibatches.of(data, 1, 12, 29).batch(0)).isSameAs(data);
        assertThatThrownBy(() -> Minibatches.of(data, 3, 5, 29)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("batchSize");
    }

    @Test
    void cancellationRestoresParameters() {
        float[] before = relu.network().params().toFloatVector();
        AtomicInteger polls = new AtomicInteger();
        WorstCaseSettings settings = new WorstCaseSettings(0.5, true, 5, 0.5, 1, 1, 100, 31);

        try (LossLandscape landscape = new LossLandscape(relu.network(), relu.data(), Precision.FLOAT,
                EvaluationListener.NONE, () -> polls.incrementAndGet() > 3)) {
            assertThatThrownBy(() -> WorstCaseSharpness.measure(landscape, settings))
                    .isInstanceOf(TrainingCancelledException.class);

            assertThat(relu.network().params().toFloatVector()).isEqualTo(before);
        }
    }

    @Test
    void rejectsInvalidSettings() {
        assertThatThrownBy(() -> new WorstCaseSettings(0, false, 1, 0.5, 1, 1, 1, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("radius");
        assertThatThrownBy(() -> new WorstCaseSettings(Double.NaN, false, 1, 0.5, 1, 1, 1, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("radius");
        assertThatThrownBy(() -> new WorstCaseSettings(0.1, false, -1, 0.5, 1, 1, 1, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("iterations");
        assertThatThrownBy(() -> new WorstCaseSettings(0.1, false, 1, 2.5, 1, 1, 1, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("stepSize");
        assertThatThrownBy(() -> new WorstCaseSettings(0.1, false, 1, 0.5, 0, 1, 1, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("restarts");
        assertThatThrownBy(() -> new WorstCaseSettings(0.1, false, 1, 0.5, 1, 0, 1, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("batches");
        assertThatThrownBy(() -> new WorstCaseSettings(0.1, false, 1, 0.5, 1, 1, 0, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("batchSize");
    }

    private static WorstCaseResult measure(MultiLayerNetwork network, DataSet data, WorstCaseSettings settings) {
        try (LossLandscape landscape = LossLandscape.of(network, data)) {
            return WorstCaseSharpness.measure(landscape, settings);
        }
    }
}
