package io.flatnesslab.training;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;

import io.flatnesslab.dataset.LabeledData;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Plain minibatch SGD as a PyTorch training loop runs it. The examples are reshuffled every
 * epoch, and every minibatch (the last one possibly smaller) makes one step on its mean loss.
 * Accuracy is counted on the fly from each step's forward pass.
 */
public final class Trainer {

    /** Receives the statistics of each finished epoch. */
    @FunctionalInterface
    public interface EpochListener {

        void onEpoch(EpochStats stats);
    }

    private Trainer() {
    }

    /**
     * Trains {@code network} in place.
     *
     * @param shuffleSeed seed of the stream that orders the examples of every epoch
     * @param cancelled polled before every step; when it returns true, training stops with
     *     {@link TrainingCancelledException}
     */
    public static TrainingOutcome train(MultiLayerNetwork network, LabeledData data, TrainingSettings settings,
            long shuffleSeed, BooleanSupplier cancelled, EpochListener listener) {
        INDArray features = Tensors.features(data);
        INDArray labels = Tensors.oneHotLabels(data);
        OnTheFlyAccuracy accuracy = new OnTheFlyAccuracy(network);
        List<TrainingListener> previousListeners = new ArrayList<>(network.getListeners());
        network.addListeners(accuracy);

        SplittableRandom shuffler = new SplittableRandom(shuffleSeed);
        int[] order = identity(data.size());
        List<EpochStats> history = new ArrayList<>();
        boolean full = false;

        try {
            for (int epoch = 1; epoch <= settings.maxEpochs(); epoch++) {
                shuffle(order, shuffler);
                accuracy.resetEpoch();
                double lossSum = 0;

                for (int start = 0; start < order.length; start += settings.batchSize()) {
                    if (cancelled.getAsBoolean()) {
                        throw new TrainingCancelledException();
                    }
                    int end = Math.min(order.length, start + settings.batchSize());
                    int[] batch = Arrays.copyOfRange(order, start, end);
                    int[] batchLabels = new int[batch.length];
                    for (int i = 0; i < batch.length; i++) {
                        batchLabels[i] = data.labels()[batch[i]];
                    }

                    accuracy.expect(batchLabels);
                    network.fit(features.getRows(batch), labels.getRows(batch));

                    // score() is the minibatch's mean loss from the forward pass before the update.
                    lossSum += network.score() * batch.length;
                }

                EpochStats stats = new EpochStats(epoch, lossSum / order.length, accuracy.epochAccuracy());
                history.add(stats);
                listener.onEpoch(stats);

                full = accuracy.epochCorrect() == order.length;
                if (full && settings.stopAtFullTrainAccuracy()) {
                    break;
                }
            }
        } finally {
            network.setListeners(previousListeners);
        }

        EpochStats last = history.get(history.size() - 1);
        return new TrainingOutcome(history.size(), last.accuracy(), full, List.copyOf(history));
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
