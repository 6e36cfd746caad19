package io.flatnesslab.flatness;

import java.nio.file.Path;
import java.util.List;

import io.flatnesslab.dataset.DatasetCatalog;
import io.flatnesslab.dataset.DatasetProperties;
import io.flatnesslab.dataset.LabeledData;
import io.flatnesslab.training.NetworkFactory;
import io.flatnesslab.training.Trainer;
import io.flatnesslab.training.TrainingSettings;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

/** Small MNIST subsets and networks trained on them for a few epochs, for landscape tests. */
final class TinyNetworks {

    private TinyNetworks() {
    }

    /** Returns {@code count} MNIST digits from the embedded set, every 29th one. */
    static LabeledData digits(int count) {
        DatasetCatalog catalog = new DatasetCatalog(new DatasetProperties(Path.of("target/no-extra-datasets")));
        int[] indices = new int[count];
        for (int i = 0; i < count; i++) {
            indices[i] = i * 29;
        }
        return catalog.get(DatasetCatalog.EMBEDDED_NAME).select(indices);
    }

    /** Returns a 784-hidden-10 ReLU network initialized from {@code seed} and trained 3 epochs on {@code data}. */
    static MultiLayerNetwork trained(List<Integer> hidden, long seed, LabeledData data) {
        MultiLayerNetwork network = NetworkFactory.build(784, hidden, 10, 0.1, seed);
        Trainer.train(network, data, new TrainingSettings(0.1, 32, 3, false), seed + 1, () -> false,
                (stats, full, last) -> { });
        return network;
    }
}
