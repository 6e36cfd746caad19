package io.flatnesslab.flatness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import java.util.List;

import io.flatnesslab.dataset.DatasetCatalog;
import io.flatnesslab.dataset.DatasetProperties;
import io.flatnesslab.dataset.LabeledData;
import io.flatnesslab.training.NetworkFactory;
import io.flatnesslab.training.Tensors;
import io.flatnesslab.training.Trainer;
import io.flatnesslab.training.TrainingSettings;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Checks the two-sided parts against quantities computed another way, on softmax regression
 * (784-10, no hidden layer). Its loss is smooth, so the Taylor expansion is accurate at small ε.
 */
class TwoSidedMeasurementTests {

    private static DataSet data;

    private static MultiLayerNetwork trained;

    @BeforeAll
    static void trainSoftmaxRegression() {
        DatasetCatalog catalog = new DatasetCatalog(new DatasetProperties(Path.of("target/no-extra-datasets")));
        int[] indices = new int[200];
        for (int i = 0; i < indices.length; i++) {
            indices[i] = i * 31;
        }
        LabeledData digits = catalog.get(DatasetCatalog.EMBEDDED_NAME).select(indices);
        data = Tensors.dataSet(digits);
        trained = NetworkFactory.build(784, List.of(), 10, 0.1, 8);
        // A few epochs only: the gradient stays clearly non-zero, so gᵀd is measurable.
        Trainer.train(trained, digits, new TrainingSettings(0.1, 32, 3, false), 9, () -> false, (stats, full, last) -> { });
    }

    @Test
    void firstOrderPartMatchesExactGradient() {
        INDArray direction = unitDirection(31);
        double gradientAlongDirection = gradient(trained.params()).castTo(DataType.DOUBLE)
                .mul(direction.castTo(DataType.DOUBLE)).sumNumber().doubleValue();
        double epsilon = 1e-3;

        FlatnessMeasurement measured = measureTwoSided(epsilon, 31);

        double firstOrder = 0.5 * (measured.increases()[0][0] - measured.minusIncreases()[0][0]);
        assertThat(Math.abs(gradientAlongDirection)).isGreaterThan(1e-4);
        assertThat(firstOrder).isCloseTo(epsilon * gradientAlongDirection, within(1e-3 * Math.abs(epsilon * gradientAlongDirection)));
    }

    @Test
    void curvaturePartMatchesHessianQuadraticForm() {
        // dᵀHd by a central difference of exact gradients: dᵀ[g(θ + hd) − g(θ − hd)] / 2h.
        INDArray direction = unitDirection(77).castTo(DataType.DOUBLE);
        INDArray theta = trained.params().castTo(DataType.DOUBLE);
        double h = 1e-4;
        INDArray plus = gradient(theta.add(direction.mul(h)));
        INDArray minus = gradient(theta.sub(direction.mul(h)));
        double quadraticForm = plus.sub(minus).mul(direction).sumNumber().doubleValue() / (2 * h);
        double epsilon = 1e-2;

        FlatnessMeasurement measured = measureTwoSided(epsilon, 77);

        double curvature = 0.5 * (measured.increases()[0][0] + measured.minusIncreases()[0][0]);
        assertThat(quadraticForm).isPositive();
        assertThat(curvature).isCloseTo(0.5 * epsilon * epsilon * quadraticForm,
                within(1e-3 * 0.5 * epsilon * epsilon * quadraticForm));
    }

    @Test
    void doublePrecisionKeepsFloatParameters() {
        float[] before = trained.params().toFloatVector();

        FlatnessMeasurement measured = FlatnessMeter.measure(trained, data, new double[] {0.0, 0.5}, 2,
                (k, direction) -> RandomDirections.sampleUnit(direction, k), true, Precision.DOUBLE, () -> false);

        assertThat(trained.params().toFloatVector()).isEqualTo(before);
        assertThat(trained.params().dataType()).isEqualTo(DataType.FLOAT);
        assertThat(measured.baselineLoss()).isEqualTo(measured.float64Loss());
        assertThat(measured.increases()[0]).containsExactly(0.0, 0.0);
        assertThat(measured.minusIncreases()[0]).containsExactly(0.0, 0.0);
        assertThat(measured.float32Loss()).isCloseTo(measured.float64Loss(), within(1e-5 * measured.float64Loss()));
        assertThat(measured.float32RoundOff()).isLessThan(1e-5);
    }

    @Test
    void oneSidedFloatHasNoMinusSide() {
        FlatnessMeasurement measured = FlatnessMeter.measure(trained, data, new double[] {0.1}, 1,
                (k, direction) -> RandomDirections.sampleUnit(direction, k), false, Precision.FLOAT, () -> false);

        assertThat(measured.minusIncreases()).isNull();
        assertThat(measured.baselineLoss()).isEqualTo(measured.float32Loss());
    }

    @Test
    void standardErrorAndSignificance() {
        double[] values = {1.0, 2.0, 3.0};

        assertThat(Statistics.standardError(values)).isCloseTo(1.0 / Math.sqrt(3), within(1e-12));
        assertThat(Statistics.tQuantile975(2)).isEqualTo(4.303);
        assertThat(Statistics.tQuantile975(200)).isEqualTo(1.96);
        // mean 2, t·SE = 4.303 · 0.577 = 2.48: not distinguishable from zero with 3 values.
        assertThat(Statistics.distinguishableFromZero(values)).isFalse();
        assertThat(Statistics.distinguishableFromZero(new double[] {10.0, 10.1, 9.9})).isTrue();
        assertThat(Statistics.distinguishableFromZero(new double[] {1.0})).isNull();
    }

    private static FlatnessMeasurement measureTwoSided(double epsilon, long seed) {
        return FlatnessMeter.measure(trained, data, new double[] {epsilon}, 1,
                (k, direction) -> RandomDirections.sampleUnit(direction, seed), true, Precision.DOUBLE, () -> false);
    }

    private static INDArray unitDirection(long seed) {
        INDArray direction = Nd4j.createUninitialized(DataType.FLOAT, trained.params().shape());
        RandomDirections.sampleUnit(direction, seed);
        return direction;
    }

    /**
     * Exact gradient of the mean loss in float64 at {@code parameters}, by backpropagation.
     * DL4J 1.0.0-M2.1 returns the gradient of the summed loss here and divides by the
     * minibatch size only in its updater, so the division happens here.
     */
    private static INDArray gradient(INDArray parameters) {
        MultiLayerNetwork network = trained.convertDataType(DataType.DOUBLE);
        network.params().assign(parameters.castTo(DataType.DOUBLE));
        network.setInput(data.getFeatures().castTo(DataType.DOUBLE));
        network.setLabels(data.getLabels().castTo(DataType.DOUBLE));
        network.computeGradientAndScore();
        return network.gradient().gradient().div(data.numExamples());
    }
}
