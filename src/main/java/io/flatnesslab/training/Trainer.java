package io.flatnesslab.training;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;
import java.util.function.IntToLongFunction;

import io.flatnesslab.dataset.LabeledData;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Plain minibatch SGD as a PyTorch training loop runs it. The examples are reshuffled every
 * epoch, and every minibatch (the last one possibly smaller) makes one step on its mean loss,
 * computed by {@link MlpSgdStep}. Accuracy is counted on the fly from each step's forward pass,
 * with the parameters before that step.
 */
public final class Trainer {

    /** Receives the statistics of each finished epoch. */
    @FunctionalInterface
    public interface EpochListener {

        /**
         * Receives an epoch's statistics.
         *
         * @param reachedFullTrainAccuracy whether this epoch classified every example correctly
         * @param last whether training ends after this epoch
         */
        void onEpoch(EpochStats stats, boolean reachedFullTrainAccuracy, boolean last);
    }

    private Trainer() {
    }

    /**
     * Trains a fresh {@code network} in place, shuffling epoch e with a seed derived from
     * {@code shuffleSeed} and e.
     *
     * @param cancelled polled before every step; when it returns true, training stops with
     *     {@link TrainingCancelledException}
     */
    public static TrainingOutcome train(MultiLayerNetwork network, LabeledData data, TrainingSettings settings,
            long shuffleSeed, BooleanSupplier cancelled, EpochListener listener) {
        return train(network, data, settings, TrainingStart.FRESH,
                epoch -> new SplittableRandom(shuffleSeed + epoch).nextLong(), cancelled, listener);
    }

    /**
     * Trains {@code network} in place from {@code start}: epochs {@code start.epochsDone() + 1}
     * onwards, appending to its history. Each epoch's order comes from its own seed, not from a
     * stream shared across epochs, so training resumed from a saved epoch repeats exactly what an
     * uninterrupted run would have done.
     *
     * @param epochShuffleSeed seed of the order of the examples in a 1-based epoch
     * @param cancelled polled before every step; when it returns true, training stops with
     *     {@link TrainingCancelledException}
     * @param listener called after every epoch; it may end training at that epoch boundary by
     *     throwing
     */
    public static TrainingOutcome train(MultiLayerNetwork network, LabeledData data, TrainingSettings settings,
            TrainingStart start, IntToLongFunction epochShuffleSeed, BooleanSupplier cancelled, EpochListener listener) {
        List<EpochStats> history = new ArrayList<>(start.history());
        boolean full = start.reachedFullTrainAccuracy();
        if (start.epochsDone() >= settings.maxEpochs() || (full && settings.stopAtFullTrainAccuracy())) {
            return outcome(history, full);
        }

        INDArray features = Tensors.features(data);
        INDArray labels = Tensors.oneHotLabels(data);
        MlpSgdStep step = new MlpSgdStep(network, settings.learningRate());

        for (int epoch = start.epochsDone() + 1; epoch <= settings.maxEpochs(); epoch++) {
            int[] order = identity(data.size());
            shuffle(order, new SplittableRandom(epochShuffleSeed.applyAsLong(epoch)));
            double lossSum = 0;
            int correct = 0;

            for (int begin = 0; begin < order.length; begin += settings.batchSize()) {
                if (cancelled.getAsBoolean()) {
                    throw new TrainingCancelledException();
                }
                int end = Math.min(order.length, begin + settings.batchSize());
                int[] batch = Arrays.copyOfRange(order, begin, end);
                int[] batchLabels = new int[batch.length];
                for (int i = 0; i < batch.length; i++) {
                    batchLabels[i] = data.labels()[batch[i]];
                }

                MlpSgdStep.StepResult result = step.step(features.getRows(batch), labels.getRows(batch), batchLabels);
                lossSum += result.meanLoss() * batch.length;
                correct += result.correct();
            }

            EpochStats stats = new EpochStats(epoch, lossSum / order.length, (double) correct / order.length);
            history.add(stats);
            full = correct == order.length;
            boolean last = epoch == settings.maxEpochs() || (full && settings.stopAtFullTrainAccuracy());
            listener.onEpoch(stats, full, last);

            if (last) {
                break;
            }
        }

        return outcome(history, full);
    }

    /**
     * Reports an already trained network without training it: zero epochs, and the accuracy of
     * one forward pass over {@code data} in inference mode.
     */
    public static TrainingOutcome evaluate(MultiLayerNetwork network, LabeledData data) {
        INDArray predicted = network.output(Tensors.features(data), false).argMax(1);
        int correct = 0;
        for (int i = 0; i < data.size(); i++) {
            correct += predicted.getInt(i) == data.labels()[i] ? 1 : 0;
        }
        return new TrainingOutcome(0, (double) correct / data.size(), correct == data.size(), List.of());
    }

    private static TrainingOutcome outcome(List<EpochStats> history, boolean full) {
        if (history.isEmpty()) {
            throw new IllegalArgumentException("training needs at least one epoch");
        }
        EpochStats last = history.get(history.size() - 1);
        return new TrainingOutcome(history.size(), last.accuracy(), full, List.copyOf(history));
    }

    private static int[] identity(int size) {
        int[] order = new int[size];
        for (int i = 0; i < size; i++) {
            order[i] = i;
        }
        return order;
    }

    private static void shuffle(int[] order, SplittableRandom random) {
        for (int i = order.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int swap = order[i];
            order[i] = order[j];
            order[j] = swap;
        }
    }

}
