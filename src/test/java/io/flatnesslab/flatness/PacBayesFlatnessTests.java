package io.flatnesslab.flatness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Checks the PAC-Bayes σ search against error increases recomputed with DL4J's own forward
 * pass, the rescaling invariance of the magnitude-aware noise, and the unbracketed ends.
 */
class PacBayesFlatnessTests {

    private static SharpnessFixtures.Trained relu;

    @BeforeAll
    static void trainNetwork() {
        relu = SharpnessFixtures.trainOnDigits(List.of(16), 100, 20, 61);
    }

    @Test
    void targetHoldsAtSigmaNotAbove() {
        PacBayesSettings settings = new PacBayesSettings(0.1, false, 4, 12, 1e-4, 10, 3);

        PacBayesResult result = measure(relu.network(), settings);

        double atSigma = errorIncrease(result.sigma(), settings);
        double above = errorIncrease(1.5 * result.sigma(), settings);
        assertThat(result.bracketed()).isTrue();
        assertThat(atSigma).isCloseTo(result.errorIncreaseAtSigma(), within(1e-12));
        assertThat(atSigma).isLessThanOrEqualTo(0.1 + 1e-12);
        assertThat(above).isGreaterThan(0.1);
        assertThat(result.inverseSigmaSquared()).isCloseTo(1 / (result.sigma() * result.sigma()), within(1e-9));
        assertThat(result.baselineError()).isCloseTo(error(relu.network().params()), within(1e-12));
    }

    @Test
    void bisectionKeepsBracket() {
        PacBayesSettings settings = new PacBayesSettings(0.05, true, 3, 10, 1e-4, 10, 5);

        PacBayesResult result = measure(relu.network(), settings);

        List<PacBayesResult.Step> steps = result.bisection();
        double lowestAbove = steps.stream().filter(step -> step.errorIncrease() > 0.05 + 1e-12)
                .mapToDouble(PacBayesResult.Step::sigma).min().orElseThrow();
        assertThat(steps).hasSize(12);
        assertThat(steps.get(0).sigma()).isEqualTo(1e-4);
        assertThat(steps.get(1).sigma()).isEqualTo(10.0);
        assertThat(steps).contains(new PacBayesResult.Step(result.sigma(), result.errorIncreaseAtSigma()));
        assertThat(lowestAbove / result.sigma()).isBetween(1.0, Math.pow(1e5, 1.0 / 1024) * (1 + 1e-9));
    }

    @Test
    void magnitudeAwareInvariantToLayerRescaling() {
        // A power of two keeps the rescaled arithmetic exact apart from summation order.
        MultiLayerNetwork rescaled = SharpnessFixtures.rescaled(relu.network(), 4.0);
        PacBayesSettings magnitudeAware = new PacBayesSettings(0.1, true, 4, 12, 1e-4, 10, 7);
        PacBayesSettings plain = new PacBayesSettings(0.1, false, 4, 12, 1e-4, 10, 7);

        PacBayesResult original = measure(relu.network(), magnitudeAware);
        PacBayesResult scaled = measure(rescaled, magnitudeAware);
        PacBayesResult originalPlain = measure(relu.network(), plain);
        PacBayesResult scaledPlain = measure(rescaled, plain);

        assertThat(original.bracketed()).isTrue();
        assertThat(scaled.sigma()).isCloseTo(original.sigma(), within(0.01 * original.sigma()));
        assertThat(scaled.errorIncreaseAtSigma()).isEqualTo(original.errorIncreaseAtSigma());
        assertThat(Math.abs(scaledPlain.sigma() - originalPlain.sigma())).isGreaterThan(0.1 * originalPlain.sigma());
    }

    @Test
    void sameSeedSameSigma() {
        PacBayesSettings settings = new PacBayesSettings(0.1, true, 2, 8, 1e-4, 10, 9);
        float[] before = relu.network().params().toFloatVector();

        PacBayesResult first;
        PacBayesResult second;
        try (LossLandscape landscape = LossLandscape.of(relu.network(), relu.data())) {
            first = PacBayesFlatness.measure(landscape, settings);
            second = PacBayesFlatness.measure(landscape, settings);

            assertThat(landscape.lossEvaluations()).isEqualTo(2 * PacBayesFlatness.plannedLossEvaluations(settings));
            assertThat(landscape.gradientEvaluations()).isZero();
        }

        assertThat(second).isEqualTo(first);
        assertThat(relu.network().params().toFloatVector()).isEqualTo(before);
    }

    @Test
    void unbracketedEndsAreFlagged() {
        PacBayesSettings tooSmall = new PacBayesSettings(0.1, false, 2, 8, 1e-8, 1e-6, 11);
        PacBayesSettings tooLarge = new PacBayesSettings(0.1, false, 2, 8, 100, 1000, 11);

        try (LossLandscape landscape = LossLandscape.of(relu.network(), relu.data())) {
            PacBayesResult flat = PacBayesFlatness.measure(landscape, tooSmall);
            long afterFlat = landscape.lossEvaluations();
            PacBayesResult sharp = PacBayesFlatness.measure(landscape, tooLarge);

            assertThat(flat.bracketed()).isFalse();
            assertThat(flat.sigma()).isEqualTo(1e-6);
            assertThat(flat.errorIncreaseAtSigma()).isLessThanOrEqualTo(0.1 + 1e-12);
            assertThat(afterFlat).isEqualTo(1 + 2 * 2);
            assertThat(sharp.bracketed()).isFalse();
            assertThat(sharp.sigma()).isEqualTo(100.0);
            assertThat(sharp.errorIncreaseAtSigma()).isGreaterThan(0.1);
            assertThat(landscape.lossEvaluations() - afterFlat).isEqualTo(1 + 2);
        }
    }

    @Test
    void noiseSameInBothPrecisions() {
        INDArray single = Nd4j.zeros(DataType.FLOAT, 1, 1000);
        INDArray twice = Nd4j.zeros(DataType.FLOAT, 1, 1000);
        INDArray inDouble = Nd4j.zeros(DataType.DOUBLE, 1, 1000);
        INDArray otherIndex = Nd4j.zeros(DataType.FLOAT, 1, 1000);

        SeededDraws.fillStandardNormal(single, SeededDraws.subSeed(13, 0, 0));
        SeededDraws.fillStandardNormal(twice, SeededDraws.subSeed(13, 0, 0));
        SeededDraws.fillStandardNormal(inDouble, SeededDraws.subSeed(13, 0, 0));
        SeededDraws.fillStandardNormal(otherIndex, SeededDraws.subSeed(13, 0, 1));

        assertThat(twice).isEqualTo(single);
        assertThat(inDouble.castTo(DataType.FLOAT)).isEqualTo(single);
        assertThat(otherIndex).isNotEqualTo(single);
        assertThat(single.meanNumber().doubleValue()).isCloseTo(0.0, within(0.15));
        assertThat(single.stdNumber().doubleValue()).isCloseTo(1.0, within(0.1));
        assertThat(SeededDraws.subSeed(13, 1, 0)).isNotEqualTo(SeededDraws.subSeed(13, 0, 1));
    }

    @Test
    void rejectsInvalidSettings() {
        assertThatThrownBy(() -> new PacBayesSettings(0, false, 1, 1, 1e-6, 10, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("targetErrorIncrease");
        assertThatThrownBy(() -> new PacBayesSettings(0.1, false, 0, 1, 1e-6, 10, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("samples");
        assertThatThrownBy(() -> new PacBayesSettings(0.1, false, 1, -1, 1e-6, 10, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bisectionSteps");
        assertThatThrownBy(() -> new PacBayesSettings(0.1, false, 1, 1, 0, 10, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("sigmaMin");
        assertThatThrownBy(() -> new PacBayesSettings(0.1, false, 1, 1, 1e-6, 1e-6, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("sigmaMax");
    }

    private static PacBayesResult measure(MultiLayerNetwork network, PacBayesSettings settings) {
        try (LossLandscape landscape = LossLandscape.of(network, relu.data())) {
            return PacBayesFlatness.measure(landscape, settings);
        }
    }

    /** Returns f(σ) with the measure's noise draws, each error counted from a cloned network's output. */
    private static double errorIncrease(double sigma, PacBayesSettings settings) {
        INDArray origin = relu.network().params().dup();
        INDArray noise = Nd4j.zeros(DataType.FLOAT, origin.shape());
        INDArray scale = settings.magnitudeAware() ? Transforms.abs(origin, true) : Nd4j.onesLike(origin);
        double errors = 0;
        for (int m = 0; m < settings.samples(); m++) {
            SeededDraws.fillStandardNormal(noise, PacBayesFlatness.noiseSeed(settings, m));
            errors += error(origin.add(scale.mul(noise).muli(sigma)));
        }
        return errors / settings.samples() - error(origin);
    }

    private static double error(INDArray parameters) {
        MultiLayerNetwork copy = relu.network().clone();
        copy.setParams(parameters);
        DataSet data = relu.data();
        INDArray predicted = copy.output(data.getFeatures(), false).argMax(1);
        INDArray expected = data.getLabels().argMax(1);
        long wrong = data.numExamples() - predicted.eq(expected).castTo(DataType.INT).sumNumber().longValue();
        return (double) wrong / data.numExamples();
    }
}
