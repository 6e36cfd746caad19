package io.flatnesslab.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import io.flatnesslab.dataset.DatasetCatalog;
import io.flatnesslab.dataset.DatasetProperties;
import io.flatnesslab.dataset.LabeledData;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The hand-written SGD step against DL4J's own {@code fit} on real digits. */
class MlpSgdStepTests {

    private static LabeledData digits;

    @BeforeAll
    static void loadDigits() {
        DatasetCatalog catalog = new DatasetCatalog(new DatasetProperties(Path.of("target/no-extra-datasets")));
        digits = catalog.get("mnist-10k").select(range(130));
    }

    @Test
    void stepsMatchDl4jFit() {
        MultiLayerNetwork ours = NetworkFactory.build(784, List.of(64, 32), 10, 0.1, 7);
        MultiLayerNetwork dl4j = NetworkFactory.build(784, List.of(64, 32), 10, 0.1, 7);
        INDArray features = Tensors.features(digits);
        INDArray labels = Tensors.oneHotLabels(digits);
        MlpSgdStep step = new MlpSgdStep(ours, 0.1);

        // Batches of 50, 50 and 30 rows, so a smaller last batch is covered too.
        for (int epoch = 0; epoch < 3; epoch++) {
            for (int begin = 0; begin < digits.size(); begin += 50) {
                int[] batch = range(begin, Math.min(digits.size(), begin + 50));
                int[] batchLabels = Arrays.stream(batch).map(i -> digits.labels()[i]).toArray();
                INDArray batchFeatures = features.getRows(batch);
                INDArray batchOneHot = labels.getRows(batch);

                MlpSgdStep.StepResult result = step.step(batchFeatures, batchOneHot, batchLabels);
                INDArray predicted = dl4j.output(batchFeatures, false).argMax(1);
                dl4j.fit(batchFeatures, batchOneHot);

                assertThat(result.meanLoss()).isCloseTo(dl4j.score(), within(1e-5 * dl4j.score()));
                int correct = 0;
                for (int i = 0; i < batch.length; i++) {
                    correct += predicted.getInt(i) == batchLabels[i] ? 1 : 0;
                }
                assertThat(result.correct()).isEqualTo(correct);
            }
        }

        double difference = ours.params().sub(dl4j.params()).norm2Number().doubleValue();
        double norm = dl4j.params().norm2Number().doubleValue();
        assertThat(difference / norm).isLessThan(1e-5);
        assertThat(ours.params()).isNotEqualTo(NetworkFactory.build(784, List.of(64, 32), 10, 0.1, 7).params());
    }

    @Test
    void rejectsDoubleNetworks() {
        MultiLayerNetwork network = NetworkFactory.build(784, List.of(8), 10, 0.1, 1)
                .convertDataType(DataType.DOUBLE);

        assertThatThrownBy(() -> new MlpSgdStep(network, 0.1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("float32");
    }

    private static int[] range(int size) {
        return range(0, size);
    }

    private static int[] range(int from, int to) {
        int[] values = new int[to - from];
        for (int i = 0; i < values.length; i++) {
            values[i] = from + i;
        }
        return values;
    }
}
