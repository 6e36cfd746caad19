package io.flatnesslab.flatness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;

import io.flatnesslab.dataset.LabeledData;
import io.flatnesslab.training.Tensors;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks that the ReLU rescaling keeps the network function, and that the loss increases along
 * normalized directions are invariant to it exactly when
 * {@link NormalizedDirections#invariantUnderRescaling} returns true.
 */
class ReparameterizationTests {

    private static final Logger log = LoggerFactory.getLogger(ReparameterizationTests.class);

    private static DataSet data;

    private static MultiLayerNetwork trained;

    private static ParameterLayout layout;

    @BeforeAll
    static void train() {
        LabeledData digits = TinyNetworks.digits(150);
        data = Tensors.dataSet(digits);
        trained = TinyNetworks.trained(List.of(12, 8), 31, digits);
        layout = ParameterLayout.of(trained);
    }

    @Test
    void rescaleMultipliesBlocks() {
        INDArray theta = trained.params();
        double alpha = 4;

        INDArray rescaled = Reparameterization.rescale(theta, layout, 1, alpha);

        assertThat(rescaled).isNotSameAs(theta);
        assertThat(layout.layerView(rescaled, 0)).isEqualTo(layout.layerView(theta, 0));
        assertThat(layout.weights(rescaled, 1)).isEqualTo(layout.weights(theta, 1).mul(alpha));
        assertThat(layout.bias(rescaled, 1)).isEqualTo(layout.bias(theta, 1).mul(alpha));
        assertThat(layout.weights(rescaled, 2)).isEqualTo(layout.weights(theta, 2).div(alpha));
        assertThat(layout.bias(rescaled, 2)).isEqualTo(layout.bias(theta, 2));
    }

    @Test
    void rescaledNetworkKeepsOutputs() {
        INDArray expected = trained.output(data.getFeatures(), false);

        for (int layer = 0; layer < 2; layer++) {
            for (double alpha : new double[] {0.1, 10}) {
                MultiLayerNetwork copy = trained.clone();
                copy.setParams(Reparameterization.rescale(trained.params(), layout, layer, alpha));

                INDArray output = copy.output(data.getFeatures(), false);

                double difference = output.sub(expected).amaxNumber().doubleValue();
                assertThat(difference).as("layer %d, alpha %s", layer, alpha).isLessThan(1e-5);
            }
        }
    }

    @Test
    void invarianceClaimsHold() {
        double alpha = 10;
        double epsilon = 0.3;

        try (LossLandscape landscape = new LossLandscape(trained, data, Precision.DOUBLE, EvaluationListener.NONE,
                () -> false)) {
            INDArray theta = landscape.origin();
            INDArray rescaled = Reparameterization.rescale(theta, layout, 0, alpha);
            double loss = landscape.evaluate(theta).loss();
            double rescaledLoss = landscape.evaluate(rescaled).loss();
            assertThat(rescaledLoss).isCloseTo(loss, within(1e-12 * loss));

            for (DirectionNormalization normalization : DirectionNormalization.values()) {
                for (boolean filterBiases : new boolean[] {false, true}) {
                    double increase = perturbedLoss(landscape, theta, normalization, filterBiases, epsilon) - loss;
                    double rescaledIncrease = perturbedLoss(landscape, rescaled, normalization, filterBiases, epsilon)
                            - rescaledLoss;
                    double relativeGap = Math.abs(rescaledIncrease - increase) / Math.abs(increase);
                    log.info("{} filterBiases={}: increase {} after rescaling {} (relative gap {})", normalization,
                            filterBiases, increase, rescaledIncrease, relativeGap);
                    String label = normalization + " with filterBiases=" + filterBiases;

                    if (NormalizedDirections.invariantUnderRescaling(normalization, filterBiases)) {
                        assertThat(relativeGap).as(label).isLessThan(1e-9);
                    } else {
                        // With alpha = 10 the gaps are tens of percent, far above round-off.
                        assertThat(relativeGap).as(label).isGreaterThan(0.05);
                    }
                }
            }
        }
    }

    @Test
    void invalidAlphaIsRejected() {
        INDArray theta = trained.params();

        for (double alpha : new double[] {0, -1, Double.NaN, Double.POSITIVE_INFINITY}) {
            assertThatThrownBy(() -> Reparameterization.rescale(theta, layout, 0, alpha))
                    .as("alpha %s", alpha)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("alpha " + alpha)
                    .hasMessageContaining("positive finite");
        }
    }

    @Test
    void invalidLayerIsRejected() {
        INDArray theta = trained.params();

        for (int layer : new int[] {-1, 2, 3}) {
            assertThatThrownBy(() -> Reparameterization.rescale(theta, layout, layer, 2))
                    .as("layer %d", layer)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("layer " + layer)
                    .hasMessageContaining("[0, 1]");
        }
    }

    /** Returns L(θ + ε·d) with d normalized to {@code theta} from seed 5, in the landscape's type. */
    private static double perturbedLoss(LossLandscape landscape, INDArray theta, DirectionNormalization normalization,
            boolean filterBiases, double epsilon) {
        INDArray direction = landscape.newVector();
        NormalizedDirections.fill(direction, theta, layout, normalization, filterBiases, 5);
        INDArray moved = direction.muli(epsilon).addi(theta);
        assertThat(moved.dataType()).isEqualTo(DataType.DOUBLE);
        return landscape.evaluate(moved).loss();
    }
}
