package io.flatnesslab.flatness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;

import io.flatnesslab.dataset.DatasetCatalog;
import io.flatnesslab.dataset.DatasetProperties;
import io.flatnesslab.dataset.LabeledData;
import io.flatnesslab.training.NetworkFactory;
import io.flatnesslab.training.Tensors;
import io.flatnesslab.training.Trainer;
import io.flatnesslab.training.TrainingCancelledException;
import io.flatnesslab.training.TrainingSettings;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

class FlatnessMeterTests {

    private static LabeledData digits;

    private static MultiLayerNetwork trained;

    @BeforeAll
    static void trainSmallNetwork() {
        DatasetCatalog catalog = new DatasetCatalog(new DatasetProperties(Path.of("target/no-extra-datasets")));
        int[] indices = new int[100];
        for (int i = 0; i < indices.length; i++) {
            indices[i] = i * 13;
        }
        digits = catalog.get(DatasetCatalog.EMBEDDED_NAME).select(indices);
        trained = NetworkFactory.build(784, List.of(32, 32), 10, 0.1, 21);
        Trainer.train(trained, digits, new TrainingSettings(0.1, 20, 30, true), 22, () -> false, (stats, full, last) -> { });
    }

    @Test
    void zeroEpsilonGivesExactlyZeroIncrease() {
        FlatnessMeasurement measurement = FlatnessMeter.measure(trained, Tensors.dataSet(digits), new double[] {0.0},
                4, k -> 100 + k, () -> false);

        assertThat(measurement.increases()[0]).containsExactly(0.0, 0.0, 0.0, 0.0);
    }

    @Test
    void baselineIsMeanCrossEntropyOverAllExamples() {
        DataSet data = Tensors.dataSet(digits);
        INDArray probabilities = trained.output(data.getFeatures(), false);
        double sum = 0;
        for (int i = 0; i < digits.size(); i++) {
            sum -= Math.log(probabilities.getDouble(i, digits.labels()[i]));
        }

        FlatnessMeasurement measurement = FlatnessMeter.measure(trained, data, new double[] {0.01}, 1, k -> k, () -> false);

        assertThat(measurement.baselineLoss()).isGreaterThan(0.0);
        assertThat(measurement.baselineLoss()).isCloseTo(sum / digits.size(), org.assertj.core.data.Offset.offset(1e-5));
    }

    @Test
    void directionHasUnitNorm() {
        INDArray direction = Nd4j.createUninitialized(DataType.FLOAT, 1, 50_000);

        double rawNorm = RandomDirections.sampleUnit(direction, 42);

        assertThat(direction.norm2Number().doubleValue()).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-5));
        // ||g|| of a 50,000-dimensional standard normal is close to sqrt(50,000).
        assertThat(rawNorm).isCloseTo(Math.sqrt(50_000), org.assertj.core.data.Percentage.withPercentage(2));
        assertThat(direction.meanNumber().doubleValue()).isCloseTo(0.0, org.assertj.core.data.Offset.offset(1e-3));
    }

    @Test
    void sameSeedGivesSameDirection() {
        INDArray first = Nd4j.createUninitialized(DataType.FLOAT, 1, 1000);
        INDArray second = Nd4j.createUninitialized(DataType.FLOAT, 1, 1000);
        INDArray other = Nd4j.createUninitialized(DataType.FLOAT, 1, 1000);

        RandomDirections.sampleUnit(first, 7);
        RandomDirections.sampleUnit(second, 7);
        RandomDirections.sampleUnit(other, 8);

        assertThat(second.toFloatVector()).isEqualTo(first.toFloatVector());
        assertThat(other.toFloatVector()).isNotEqualTo(first.toFloatVector());
    }

    @Test
    void parametersAreRestoredBitForBit() {
        float[] before = trained.params().toFloatVector();

        FlatnessMeter.measure(trained, Tensors.dataSet(digits), new double[] {0.001, 0.1, 3.0}, 3, k -> 50 + k, () -> false);

        float[] after = trained.params().toFloatVector();
        assertThat(after).hasSameSizeAs(before);
        for (int i = 0; i < before.length; i++) {
            if (Float.floatToRawIntBits(after[i]) != Float.floatToRawIntBits(before[i])) {
                throw new AssertionError("parameter " + i + " changed from " + before[i] + " to " + after[i]);
            }
        }
    }

    @Test
    void parametersAreRestoredAfterCancellation() {
        float[] before = trained.params().toFloatVector();
        int[] polls = {0};

        assertThatThrownBy(() -> FlatnessMeter.measure(trained, Tensors.dataSet(digits), new double[] {0.5, 1.0}, 3,
                k -> k, () -> ++polls[0] > 2))
                .isInstanceOf(TrainingCancelledException.class);

        assertThat(trained.params().toFloatVector()).isEqualTo(before);
    }

    @Test
    void largerEpsilonRaisesLossMoreOnAverage() {
        FlatnessMeasurement measurement = FlatnessMeter.measure(trained, Tensors.dataSet(digits),
                new double[] {0.1, 1.0, 5.0}, 6, k -> 300 + k, () -> false);

        double small = Statistics.mean(measurement.increases()[0]);
        double medium = Statistics.mean(measurement.increases()[1]);
        double large = Statistics.mean(measurement.increases()[2]);
        assertThat(medium).isGreaterThan(small);
        assertThat(large).isGreaterThan(medium).isGreaterThan(0.0);
    }

    @Test
    void perturbedLossMatchesManualPerturbation() {
        DataSet data = Tensors.dataSet(digits);
        FlatnessMeasurement measurement = FlatnessMeter.measure(trained, data, new double[] {0.5}, 1, k -> 77, () -> false);

        MultiLayerNetwork copy = trained.clone();
        INDArray direction = Nd4j.createUninitialized(DataType.FLOAT, copy.params().shape());
        RandomDirections.sampleUnit(direction, 77);
        copy.params().addi(direction.mul(0.5));
        double perturbed = copy.score(data, false);

        assertThat(measurement.increases()[0][0]).isCloseTo(perturbed - measurement.baselineLoss(),
                org.assertj.core.data.Offset.offset(1e-6));
    }

    @Test
    void statisticsUsePopulationStd() {
        double[] values = {1.0, 2.0, 3.0, 4.0};

        assertThat(Statistics.mean(values)).isEqualTo(2.5);
        assertThat(Statistics.populationStd(values)).isCloseTo(Math.sqrt(1.25), org.assertj.core.data.Offset.offset(1e-15));
        assertThat(Statistics.populationStd(new double[] {3.0})).isZero();
        assertThat(Statistics.mean(new double[0])).isNaN();
    }
}
