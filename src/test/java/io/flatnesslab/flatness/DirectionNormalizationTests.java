package io.flatnesslab.flatness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.stream.DoubleStream;

import io.flatnesslab.training.NetworkFactory;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Checks each normalization against a loop over plain Java arrays that applies its formula to
 * the same Gaussian draw z.
 */
class DirectionNormalizationTests {

    private static final long SEED = 2024;

    @Test
    void globalEqualsSampleUnit() {
        MultiLayerNetwork network = NetworkFactory.build(7, List.of(5, 4), 3, 0.1, 11);
        INDArray theta = network.params();
        INDArray expected = Nd4j.createUninitialized(DataType.FLOAT, theta.shape());
        RandomDirections.sampleUnit(expected, SEED);

        INDArray direction = Nd4j.createUninitialized(DataType.FLOAT, theta.shape());
        NormalizedDirections.fill(direction, theta, ParameterLayout.of(network), DirectionNormalization.GLOBAL, false,
                SEED);

        assertThat(direction.toFloatVector()).isEqualTo(expected.toFloatVector());
    }

    @Test
    void globalInDoubleCastsFloatDraw() {
        MultiLayerNetwork network = NetworkFactory.build(7, List.of(5, 4), 3, 0.1, 11);
        INDArray theta = network.params().castTo(DataType.DOUBLE);
        INDArray expected = Nd4j.createUninitialized(DataType.FLOAT, theta.shape());
        RandomDirections.sampleUnit(expected, SEED);

        INDArray direction = Nd4j.zeros(DataType.DOUBLE, theta.shape());
        NormalizedDirections.fill(direction, theta, ParameterLayout.of(network), DirectionNormalization.GLOBAL, false,
                SEED);

        assertThat(direction.toDoubleVector()).isEqualTo(expected.castTo(DataType.DOUBLE).toDoubleVector());
    }

    @Test
    void layerMatchesBruteForce() {
        MultiLayerNetwork network = NetworkFactory.build(7, List.of(5, 4), 3, 0.1, 12);
        ParameterLayout layout = ParameterLayout.of(network);
        double[] theta = network.params().toDoubleVector();
        double[] z = gaussian(theta.length);
        double[] expected = new double[theta.length];
        for (ParameterLayout.LayerBlock block : layout.layers()) {
            int from = (int) block.weightOffset();
            int to = (int) (block.weightOffset() + block.size());
            double factor = norm(theta, from, to) / norm(z, from, to);
            for (int i = from; i < to; i++) {
                expected[i] = z[i] * factor;
            }
        }

        double[] direction = fill(network, network.params(), DirectionNormalization.LAYER, false);

        assertClose(direction, expected);
    }

    @Test
    void filterWithBiasesMatchesBruteForce() {
        MultiLayerNetwork network = NetworkFactory.build(7, List.of(5, 4), 3, 0.1, 13);
        double[] theta = network.params().toDoubleVector();
        double[] expected = filterNormalized(ParameterLayout.of(network), theta, gaussian(theta.length), true);

        double[] direction = fill(network, network.params(), DirectionNormalization.FILTER, true);

        assertClose(direction, expected);
    }

    @Test
    void filterWithoutBiasesZeroesBiases() {
        MultiLayerNetwork network = NetworkFactory.build(7, List.of(5, 4), 3, 0.1, 14);
        double[] theta = network.params().toDoubleVector();
        double[] expected = filterNormalized(ParameterLayout.of(network), theta, gaussian(theta.length), false);

        double[] direction = fill(network, network.params(), DirectionNormalization.FILTER, false);

        assertClose(direction, expected);
        for (ParameterLayout.LayerBlock block : ParameterLayout.of(network).layers()) {
            for (int j = 0; j < block.fanOut(); j++) {
                assertThat(direction[(int) block.biasOffset() + j]).isZero();
            }
        }
    }

    @Test
    void elementwiseMatchesBruteForce() {
        MultiLayerNetwork network = NetworkFactory.build(7, List.of(5, 4), 3, 0.1, 15);
        float[] theta = network.params().toFloatVector();
        INDArray draw = Nd4j.createUninitialized(DataType.FLOAT, network.params().shape());
        RandomDirections.fillGaussian(draw, SEED);
        float[] z = draw.toFloatVector();
        float[] expected = new float[theta.length];
        for (int i = 0; i < theta.length; i++) {
            expected[i] = Math.abs(theta[i]) * z[i];
        }

        INDArray direction = Nd4j.createUninitialized(DataType.FLOAT, network.params().shape());
        NormalizedDirections.fill(direction, network.params(), ParameterLayout.of(network),
                DirectionNormalization.ELEMENTWISE, false, SEED);

        assertThat(direction.toFloatVector()).isEqualTo(expected);
    }

    @Test
    void elementwiseCrossesChunkBoundary() {
        // The network has 1,113,010 parameters, more than the 2^20 elements ELEMENTWISE scales at a time.
        MultiLayerNetwork network = NetworkFactory.build(784, List.of(1400), 10, 0.1, 16);
        INDArray theta = network.params();
        INDArray z = Nd4j.createUninitialized(DataType.FLOAT, theta.shape());
        RandomDirections.fillGaussian(z, SEED);
        INDArray expected = z.mul(Transforms.abs(theta, true));

        INDArray direction = Nd4j.createUninitialized(DataType.FLOAT, theta.shape());
        NormalizedDirections.fill(direction, theta, ParameterLayout.of(network), DirectionNormalization.ELEMENTWISE,
                false, SEED);

        assertThat(theta.length()).isGreaterThan(1L << 20);
        assertThat(direction.equals(expected)).isTrue();
    }

    @Test
    void layerNormAccurateOnLargeLayer() {
        // Layer 0 has 3,925,000 parameters, enough for a float32 sum of squares to lose about
        // 0.1% of the norm.
        MultiLayerNetwork network = NetworkFactory.build(784, List.of(5000), 10, 0.1, 22);
        ParameterLayout layout = ParameterLayout.of(network);
        INDArray theta = network.params();
        double thetaNorm = norm(layout.layerView(theta, 0).toDoubleVector());

        INDArray direction = Nd4j.createUninitialized(DataType.FLOAT, theta.shape());
        NormalizedDirections.fill(direction, theta, layout, DirectionNormalization.LAYER, false, SEED);

        double directionNorm = norm(layout.layerView(direction, 0).toDoubleVector());
        assertThat(directionNorm).isCloseTo(thetaNorm, within(1e-5 * thetaNorm));
        assertThat(RandomDirections.norm2(theta)).isCloseTo(norm(theta.toDoubleVector()),
                within(1e-9 * thetaNorm));
    }

    @Test
    void zeroBlocksGiveZeroDirection() {
        MultiLayerNetwork network = NetworkFactory.build(7, List.of(5, 4), 3, 0.1, 17);
        ParameterLayout layout = ParameterLayout.of(network);
        INDArray theta = network.params().dup();
        layout.bias(theta, 0).assign(0);
        layout.layerView(theta, 1).assign(0);
        layout.filter(theta, 2, 1).assign(0);
        theta.putScalar(layout.layer(2).biasOffset() + 1, 0.0);

        for (DirectionNormalization normalization : DirectionNormalization.values()) {
            for (boolean filterBiases : new boolean[] {false, true}) {
                INDArray direction = Nd4j.createUninitialized(DataType.FLOAT, theta.shape());
                NormalizedDirections.fill(direction, theta, layout, normalization, filterBiases, SEED);
                String label = normalization + " with filterBiases=" + filterBiases;
                boolean filter = normalization == DirectionNormalization.FILTER;
                boolean elementwise = normalization == DirectionNormalization.ELEMENTWISE;

                assertThat(DoubleStream.of(direction.toDoubleVector()).allMatch(Double::isFinite)).as(label).isTrue();
                if (normalization != DirectionNormalization.GLOBAL) {
                    assertThat(maxAbs(layout.layerView(direction, 1))).as(label).isZero();
                    assertThat(layout.filter(direction, 2, 0).toDoubleVector()).as(label).doesNotContain(0.0);
                }
                if (filter || elementwise) {
                    assertThat(maxAbs(layout.filter(direction, 2, 1))).as(label).isZero();
                    assertThat(Math.abs(direction.getDouble(layout.layer(2).biasOffset() + 1))).as(label).isZero();
                }
                if (elementwise || (filter && !filterBiases)) {
                    assertThat(maxAbs(layout.bias(direction, 0))).as(label).isZero();
                }
            }
        }
    }

    @Test
    void relativeNormsMatchTheta() {
        MultiLayerNetwork network = NetworkFactory.build(784, List.of(16), 10, 0.1, 18);
        INDArray theta = network.params();
        double thetaNorm = theta.norm2Number().doubleValue();
        double weightNorm = 0;
        ParameterLayout layout = ParameterLayout.of(network);
        for (ParameterLayout.LayerBlock block : layout.layers()) {
            double layerWeightNorm = layout.weights(theta, block.index()).norm2Number().doubleValue();
            weightNorm = Math.hypot(weightNorm, layerWeightNorm);
        }

        double layer = norm(fill(network, theta, DirectionNormalization.LAYER, false));
        double filterWithBiases = norm(fill(network, theta, DirectionNormalization.FILTER, true));
        double filterWithoutBiases = norm(fill(network, theta, DirectionNormalization.FILTER, false));
        double elementwise = norm(fill(network, theta, DirectionNormalization.ELEMENTWISE, false));

        assertThat(layer).isCloseTo(thetaNorm, within(1e-5 * thetaNorm));
        assertThat(filterWithBiases).isCloseTo(thetaNorm, within(1e-5 * thetaNorm));
        assertThat(filterWithoutBiases).isCloseTo(weightNorm, within(1e-5 * weightNorm));
        // E||d||² = ||θ||². Over 12,730 parameters the relative spread of ||d|| is about 1% (an
        // estimate for uniformly initialized weights), so 10% leaves a wide margin.
        assertThat(elementwise).isCloseTo(thetaNorm, within(0.1 * thetaNorm));
    }

    @Test
    void doubleDirectionsMatchFloat() {
        MultiLayerNetwork network = NetworkFactory.build(7, List.of(5, 4), 3, 0.1, 19);
        ParameterLayout layout = ParameterLayout.of(network);
        INDArray theta = network.params();

        for (DirectionNormalization normalization : DirectionNormalization.values()) {
            INDArray inFloat = Nd4j.createUninitialized(DataType.FLOAT, theta.shape());
            INDArray inDouble = Nd4j.createUninitialized(DataType.DOUBLE, theta.shape());
            NormalizedDirections.fill(inFloat, theta, layout, normalization, true, SEED);
            NormalizedDirections.fill(inDouble, theta.castTo(DataType.DOUBLE), layout, normalization, true, SEED);

            assertClose(normalization.name(), inDouble.toDoubleVector(), inFloat.toDoubleVector());
        }
    }

    @Test
    void seedSelectsDirection() {
        MultiLayerNetwork network = NetworkFactory.build(7, List.of(5, 4), 3, 0.1, 20);
        INDArray theta = network.params();

        double[] first = fill(network, theta, DirectionNormalization.FILTER, true);
        double[] again = fill(network, theta, DirectionNormalization.FILTER, true);
        INDArray other = Nd4j.createUninitialized(DataType.FLOAT, theta.shape());
        NormalizedDirections.fill(other, theta, ParameterLayout.of(network), DirectionNormalization.FILTER, true,
                SEED + 1);

        assertThat(again).isEqualTo(first);
        assertThat(other.toDoubleVector()).isNotEqualTo(first);
    }

    @Test
    void wrongLengthIsRejected() {
        MultiLayerNetwork network = NetworkFactory.build(7, List.of(5), 3, 0.1, 21);
        INDArray shortDirection = Nd4j.zeros(DataType.FLOAT, 1, network.numParams() - 1);

        assertThatThrownBy(() -> NormalizedDirections.fill(shortDirection, network.params(),
                ParameterLayout.of(network), DirectionNormalization.LAYER, false, SEED))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(String.valueOf(network.numParams() - 1))
                .hasMessageContaining(String.valueOf(network.numParams()));
    }

    /** Returns max |x|, so that −0.0, which z·0 gives for negative z, counts as zero. */
    private static double maxAbs(INDArray values) {
        return values.amaxNumber().doubleValue();
    }

    private static double[] fill(MultiLayerNetwork network, INDArray theta, DirectionNormalization normalization,
            boolean filterBiases) {
        INDArray direction = Nd4j.createUninitialized(DataType.FLOAT, theta.shape());
        NormalizedDirections.fill(direction, theta, ParameterLayout.of(network), normalization, filterBiases, SEED);
        return direction.toDoubleVector();
    }

    private static double[] gaussian(int length) {
        INDArray z = Nd4j.createUninitialized(DataType.FLOAT, 1, length);
        RandomDirections.fillGaussian(z, SEED);
        return z.toDoubleVector();
    }

    /** Applies the FILTER formula filter by filter, leaving the bias entries 0 without biases. */
    private static double[] filterNormalized(ParameterLayout layout, double[] theta, double[] z, boolean withBias) {
        double[] direction = new double[theta.length];
        for (ParameterLayout.LayerBlock block : layout.layers()) {
            for (int j = 0; j < block.fanOut(); j++) {
                int[] filter = filterIndices(block, j, withBias);
                double factor = norm(theta, filter) / norm(z, filter);
                for (int i : filter) {
                    direction[i] = z[i] * factor;
                }
            }
        }
        return direction;
    }

    /** Returns the flat indices of output neuron j's incoming weights, and of its bias when withBias is true. */
    private static int[] filterIndices(ParameterLayout.LayerBlock block, int j, boolean withBias) {
        int[] indices = new int[block.fanIn() + (withBias ? 1 : 0)];
        for (int k = 0; k < block.fanIn(); k++) {
            indices[k] = (int) block.filterOffset(j) + k;
        }
        if (withBias) {
            indices[block.fanIn()] = (int) block.biasOffset() + j;
        }
        return indices;
    }

    private static double norm(double[] values) {
        return norm(values, 0, values.length);
    }

    private static double norm(double[] values, int from, int to) {
        double sum = 0;
        for (int i = from; i < to; i++) {
            sum += values[i] * values[i];
        }
        return Math.sqrt(sum);
    }

    private static double norm(double[] values, int[] indices) {
        double sum = 0;
        for (int i : indices) {
            sum += values[i] * values[i];
        }
        return Math.sqrt(sum);
    }

    private static void assertClose(double[] actual, double[] expected) {
        assertClose("direction", actual, expected);
    }

    /** Asserts agreement to float32 round-off, relative to the largest element. */
    private static void assertClose(String label, double[] actual, double[] expected) {
        double scale = 0;
        for (double value : expected) {
            scale = Math.max(scale, Math.abs(value));
        }
        assertThat(actual).as(label).hasSameSizeAs(expected);
        for (int i = 0; i < expected.length; i++) {
            assertThat(actual[i]).as(label + " element " + i).isCloseTo(expected[i], within(1e-5 * scale));
        }
    }
}
