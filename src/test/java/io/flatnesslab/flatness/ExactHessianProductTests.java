package io.flatnesslab.flatness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;

import io.flatnesslab.dataset.LabeledData;
import io.flatnesslab.training.NetworkFactory;
import io.flatnesslab.training.Trainer;
import io.flatnesslab.training.TrainingSettings;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * Checks the R-operator product against central differences where those are reliable: in
 * float64 with a step far too small for any ReLU pre-activation to change sign.
 */
class ExactHessianProductTests {

    @Test
    void matchesTinyStepDifferencesOnRelu() {
        DataSet data = ParameterLayoutTests.digits(120);
        MultiLayerNetwork network = trained(List.of(24, 12), data, 7);

        try (LossLandscape landscape = new LossLandscape(network, data, Precision.DOUBLE, EvaluationListener.NONE,
                () -> false);
                ExactHessianProduct exact = new ExactHessianProduct(landscape);
                CentralDifferenceProduct differences = new CentralDifferenceProduct(landscape, 1e-7)) {
            for (long seed = 1; seed <= 3; seed++) {
                INDArray v = landscape.newVector();
                ParameterVectors.fillUnitRademacher(v, seed);
                INDArray byOperator = landscape.newVector();
                INDArray byDifferences = landscape.newVector();

                exact.apply(v, byOperator);
                differences.apply(v, byDifferences);

                double scale = ParameterVectors.norm(byDifferences);
                assertThat(scale).isGreaterThan(1e-3);
                assertThat(ParameterVectors.norm(byOperator.sub(byDifferences))).as("seed %d", seed)
                        .isLessThan(1e-5 * scale);
            }
        }
    }

    @Test
    void floatAgreesWithDouble() {
        DataSet data = ParameterLayoutTests.digits(100);
        MultiLayerNetwork network = trained(List.of(16), data, 9);
        INDArray v = network.params().like();
        ParameterVectors.fillUnitRademacher(v, 5);

        double[] single;
        double[] twice;
        try (LossLandscape landscape = LossLandscape.of(network, data);
                ExactHessianProduct product = new ExactHessianProduct(landscape)) {
            INDArray out = landscape.newVector();
            product.apply(v, out);
            single = out.toDoubleVector();
        }
        try (LossLandscape landscape = new LossLandscape(network, data, Precision.DOUBLE, EvaluationListener.NONE,
                () -> false);
                ExactHessianProduct product = new ExactHessianProduct(landscape)) {
            INDArray out = landscape.newVector();
            product.apply(v.castTo(DataType.DOUBLE), out);
            twice = out.toDoubleVector();
        }

        double norm = 0;
        double difference = 0;
        for (int i = 0; i < twice.length; i++) {
            norm += twice[i] * twice[i];
            difference += (single[i] - twice[i]) * (single[i] - twice[i]);
        }
        assertThat(Math.sqrt(difference)).isLessThan(1e-4 * Math.sqrt(norm));
    }

    @Test
    void topEigenvalueAgreesAcrossMethods() {
        DataSet data = ParameterLayoutTests.digits(300);
        MultiLayerNetwork network = trained(List.of(32, 16), data, 11);

        double exactTop = topEigenvalue(network, data, Precision.DOUBLE, HessianSettings.Product.EXACT, null);
        double exactFloatTop = topEigenvalue(network, data, Precision.FLOAT, HessianSettings.Product.EXACT, null);
        double tinyStepTop = topEigenvalue(network, data, Precision.DOUBLE, HessianSettings.Product.CENTRAL_DIFFERENCE, 1e-7);

        assertThat(exactFloatTop).isCloseTo(exactTop, within(1e-3 * exactTop));
        assertThat(tinyStepTop).isCloseTo(exactTop, within(1e-4 * exactTop));
    }

    @Test
    void estimateCountsTwoGradientsPerProduct() {
        DataSet data = ParameterLayoutTests.digits(50);
        MultiLayerNetwork network = trained(List.of(8), data, 3);
        HessianSettings settings = new HessianSettings(1, HessianSettings.Method.POWER, 4, 0, 3, 0, 2, null, 1,
                HessianSettings.Product.EXACT);
        float[] before = network.params().toFloatVector();

        try (LossLandscape landscape = LossLandscape.of(network, data)) {
            HessianResult result = HessianEstimator.estimate(landscape, settings);

            assertThat(result.product()).isEqualTo(HessianSettings.Product.EXACT);
            assertThat(result.finiteDifferenceStep()).isNull();
            assertThat(result.gradientEvaluations()).isEqualTo(HessianEstimator.plannedGradientEvaluations(settings));
            assertThat(landscape.gradientEvaluations()).isEqualTo(2 * (4 + 3));
        }
        assertThat(network.params().toFloatVector()).isEqualTo(before);
    }

    @Test
    void otherActivationsAreRejected() {
        MultiLayerNetwork tanh = new MultiLayerNetwork(new NeuralNetConfiguration.Builder()
                .dataType(DataType.FLOAT)
                .list()
                .layer(new DenseLayer.Builder().nIn(784).nOut(4).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(4).nOut(10)
                        .activation(Activation.SOFTMAX).build())
                .build());
        tanh.init();

        try (LossLandscape landscape = LossLandscape.of(tanh, ParameterLayoutTests.digits(10))) {
            assertThatThrownBy(() -> new ExactHessianProduct(landscape))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("layer 0 is not a ReLU dense layer");
        }
    }

    private static double topEigenvalue(MultiLayerNetwork network, DataSet data, Precision precision,
            HessianSettings.Product product, Double step) {
        HessianSettings settings = new HessianSettings(1, HessianSettings.Method.LANCZOS, 40, 1e-9, 0, 0, 2, step, 3,
                product);
        try (LossLandscape landscape = new LossLandscape(network, data, precision, EvaluationListener.NONE, () -> false)) {
            return HessianEstimator.estimate(landscape, settings).topEigenvalues().get(0).value();
        }
    }

    private static MultiLayerNetwork trained(List<Integer> hidden, DataSet data, long seed) {
        MultiLayerNetwork network = NetworkFactory.build(784, hidden, 10, 0.1, seed);
        LabeledData examples = labeled(data);
        Trainer.train(network, examples, new TrainingSettings(0.1, 20, 15, true), seed + 1, () -> false,
                (stats, full, last) -> { });
        return network;
    }

    private static LabeledData labeled(DataSet data) {
        int n = data.numExamples();
        float[] features = data.getFeatures().reshape(-1).toFloatVector();
        int[] labels = new int[n];
        INDArray classes = data.getLabels().argMax(1);
        for (int i = 0; i < n; i++) {
            labels[i] = classes.getInt(i);
        }
        return new LabeledData(features, labels, 784, 10);
    }
}
