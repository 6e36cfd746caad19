package io.flatnesslab.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import io.flatnesslab.dataset.DatasetCatalog;
import io.flatnesslab.dataset.DatasetProperties;
import io.flatnesslab.dataset.LabeledData;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

class TrainerTests {

    private static LabeledData digits;

    @BeforeAll
    static void loadDigits() {
        DatasetCatalog catalog = new DatasetCatalog(new DatasetProperties(Path.of("target/no-extra-datasets")));
        int[] indices = new int[60];
        for (int i = 0; i < indices.length; i++) {
            indices[i] = i * 37;
        }
        digits = catalog.get(DatasetCatalog.EMBEDDED_NAME).select(indices);
    }

    @Test
    void initializationFollowsPyTorchBounds() {
        MultiLayerNetwork network = NetworkFactory.build(784, List.of(32, 16), 10, 0.1, 11);

        int[] fanIns = {784, 32, 16};
        for (int layer = 0; layer < fanIns.length; layer++) {
            double bound = 1.0 / Math.sqrt(fanIns[layer]);
            INDArray weights = network.getLayer(layer).getParam("W");
            INDArray bias = network.getLayer(layer).getParam("b");

            assertThat(weights.maxNumber().doubleValue()).isLessThanOrEqualTo(bound).isGreaterThan(0.9 * bound);
            assertThat(weights.minNumber().doubleValue()).isGreaterThanOrEqualTo(-bound).isLessThan(-0.9 * bound);
            assertThat(bias.maxNumber().doubleValue()).isLessThanOrEqualTo(bound).isGreaterThan(0.0);
            assertThat(bias.minNumber().doubleValue()).isGreaterThanOrEqualTo(-bound).isLessThan(0.0);
            // A uniform distribution on [-b, b] has variance b²/3.
            assertThat(weights.varNumber().doubleValue()).isCloseTo(bound * bound / 3, org.assertj.core.data.Percentage.withPercentage(5));
        }
        assertThat(network.numParams()).isEqualTo(NetworkFactory.parameterCount(784, List.of(32, 16), 10));
    }

    @Test
    void sameSeedGivesSameInitialization() {
        INDArray first = NetworkFactory.build(784, List.of(8), 10, 0.1, 5).params().dup();
        INDArray second = NetworkFactory.build(784, List.of(8), 10, 0.1, 5).params().dup();
        INDArray other = NetworkFactory.build(784, List.of(8), 10, 0.1, 6).params().dup();

        assertThat(second.toFloatVector()).isEqualTo(first.toFloatVector());
        assertThat(other.toFloatVector()).isNotEqualTo(first.toFloatVector());
    }

    @Test
    void parameterCountOfClassicModels() {
        assertThat(NetworkFactory.parameterCount(784, List.of(5000, 5000), 10)).isEqualTo(28_980_010L);
        assertThat(NetworkFactory.parameterCount(784, List.of(50, 50), 10)).isEqualTo(42_310L);
    }

    @Test
    void onTheFlyAccuracyMatchesForwardPass() {
        // With a single full batch the on-the-fly accuracy must equal the accuracy of the
        // parameters before the step, which a separate forward pass gives.
        MultiLayerNetwork network = NetworkFactory.build(784, List.of(16), 10, 0.5, 3);
        INDArray predicted = network.output(Tensors.features(digits), false).argMax(1);
        int correct = 0;
        for (int i = 0; i < digits.size(); i++) {
            correct += predicted.getInt(i) == digits.labels()[i] ? 1 : 0;
        }

        TrainingOutcome outcome = Trainer.train(network, digits, new TrainingSettings(0.5, digits.size(), 1, false), 1,
                () -> false, (stats, full, last) -> { });

        assertThat(outcome.epochsTrained()).isEqualTo(1);
        assertThat(outcome.finalTrainAccuracy()).isEqualTo((double) correct / digits.size());
    }

    @Test
    void stopsAtFirstEpochWithFullAccuracy() {
        MultiLayerNetwork network = NetworkFactory.build(784, List.of(64), 10, 0.1, 1);
        List<EpochStats> seen = new ArrayList<>();

        TrainingOutcome outcome = Trainer.train(network, digits, new TrainingSettings(0.1, 16, 300, true), 2,
                () -> false, (stats, full, last) -> seen.add(stats));

        assertThat(outcome.reachedFullTrainAccuracy()).isTrue();
        assertThat(outcome.finalTrainAccuracy()).isEqualTo(1.0);
        assertThat(outcome.epochsTrained()).isLessThan(300).isEqualTo(seen.size());
        assertThat(seen.subList(0, seen.size() - 1)).allSatisfy(stats -> assertThat(stats.accuracy()).isLessThan(1.0));
        assertThat(seen.get(seen.size() - 1).meanLoss()).isLessThan(seen.get(0).meanLoss());
    }

    @Test
    void runsAllEpochsWithoutEarlyStop() {
        MultiLayerNetwork network = NetworkFactory.build(784, List.of(64), 10, 0.1, 1);

        TrainingOutcome outcome = Trainer.train(network, digits, new TrainingSettings(0.1, 16, 7, false), 2,
                () -> false, (stats, full, last) -> { });

        assertThat(outcome.epochsTrained()).isEqualTo(7);
        assertThat(outcome.history()).extracting(EpochStats::epoch).containsExactly(1, 2, 3, 4, 5, 6, 7);
    }

    @Test
    void sameSeedsGiveSameTrainedParameters() {
        MultiLayerNetwork first = NetworkFactory.build(784, List.of(16), 10, 0.1, 9);
        MultiLayerNetwork second = NetworkFactory.build(784, List.of(16), 10, 0.1, 9);
        TrainingSettings settings = new TrainingSettings(0.1, 8, 2, false);

        Trainer.train(first, digits, settings, 4, () -> false, (stats, full, last) -> { });
        Trainer.train(second, digits, settings, 4, () -> false, (stats, full, last) -> { });

        assertThat(second.params().toFloatVector()).isEqualTo(first.params().toFloatVector());
    }

    @Test
    void resumedTrainingMatchesUninterrupted() throws Exception {
        TrainingSettings settings = new TrainingSettings(0.1, 16, 4, false);
        MultiLayerNetwork uninterrupted = NetworkFactory.build(784, List.of(16), 10, 0.1, 5);
        TrainingOutcome expected = Trainer.train(uninterrupted, digits, settings, TrainingStart.FRESH, epoch -> 100 + epoch,
                () -> false, (stats, full, last) -> { });

        MultiLayerNetwork first = NetworkFactory.build(784, List.of(16), 10, 0.1, 5);
        TrainingOutcome half = Trainer.train(first, digits, new TrainingSettings(0.1, 16, 2, false), TrainingStart.FRESH,
                epoch -> 100 + epoch, () -> false, (stats, full, last) -> { });
        ByteArrayOutputStream saved = new ByteArrayOutputStream();
        ModelSerializer.writeModel(first, saved, false);
        MultiLayerNetwork restored = ModelSerializer.restoreMultiLayerNetwork(new ByteArrayInputStream(saved.toByteArray()),
                false);
        TrainingOutcome resumed = Trainer.train(restored, digits, settings,
                new TrainingStart(half.epochsTrained(), half.history(), half.reachedFullTrainAccuracy()),
                epoch -> 100 + epoch, () -> false, (stats, full, last) -> { });

        assertThat(resumed.history()).isEqualTo(expected.history());
        assertThat(restored.params().toFloatVector()).isEqualTo(uninterrupted.params().toFloatVector());
    }

    @Test
    void finishedStartTrainsNothing() {
        MultiLayerNetwork network = NetworkFactory.build(784, List.of(8), 10, 0.1, 1);
        float[] before = network.params().toFloatVector();
        TrainingStart done = new TrainingStart(1, List.of(new EpochStats(1, 0.1, 1.0)), true);

        TrainingOutcome outcome = Trainer.train(network, digits, new TrainingSettings(0.1, 8, 5, true), done,
                epoch -> epoch, () -> false, (stats, full, last) -> { });

        assertThat(outcome.epochsTrained()).isEqualTo(1);
        assertThat(outcome.reachedFullTrainAccuracy()).isTrue();
        assertThat(network.params().toFloatVector()).isEqualTo(before);
    }

    @Test
    void cancellationStopsTraining() {
        MultiLayerNetwork network = NetworkFactory.build(784, List.of(8), 10, 0.1, 1);

        assertThatThrownBy(() -> Trainer.train(network, digits, new TrainingSettings(0.1, 8, 5, false), 1,
                () -> true, (stats, full, last) -> { }))
                .isInstanceOf(TrainingCancelledException.class);
    }
}
