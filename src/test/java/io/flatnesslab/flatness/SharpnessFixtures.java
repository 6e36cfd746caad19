package io.flatnesslab.flatness;

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
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

/** Small trained networks and helpers shared by the sharpness and PAC-Bayes tests. */
final class SharpnessFixtures {

    private SharpnessFixtures() {
    }

    /** A network trained on embedded digits, with its training examples. */
    record Trained(MultiLayerNetwork network, DataSet data) {
    }

    /**
     * Trains a 784-…-10 network with ReLU hidden layers of the given widths on {@code count}
     * embedded digits for {@code epochs} epochs of SGD with learning rate 0.1 and batches of 20.
     */
    static Trained trainOnDigits(List<Integer> hidden, int count, int epochs, long seed) {
        DatasetCatalog catalog = new DatasetCatalog(new DatasetProperties(Path.of("target/no-extra-datasets")));
        int[] indices = new int[count];
        for (int i = 0; i < count; i++) {
            indices[i] = i * 17;
        }
        LabeledData digits = catalog.get(DatasetCatalog.EMBEDDED_NAME).select(indices);

        MultiLayerNetwork network = NetworkFactory.build(784, hidden, 10, 0.1, seed);
        Trainer.train(network, digits, new TrainingSettings(0.1, 20, epochs, false), seed + 1, () -> false,
                (stats, full, last) -> { });
        return new Trained(network, Tensors.dataSet(digits));
    }

    /**
     * Returns a copy of a one-hidden-layer ReLU network with layer 0's weights and bias
     * multiplied by {@code alpha} and layer 1's weights divided by it. Because ReLU(α·a) =
     * α·ReLU(a) for α > 0, the copy computes the same function.
     */
    static MultiLayerNetwork rescaled(MultiLayerNetwork network, double alpha) {
        ParameterLayout layout = ParameterLayout.of(network);
        INDArray parameters = network.params().dup();
        layout.weights(parameters, 0).muli(alpha);
        layout.bias(parameters, 0).muli(alpha);
        layout.weights(parameters, 1).divi(alpha);

        MultiLayerNetwork copy = network.clone();
        copy.setParams(parameters);
        return copy;
    }

    /**
     * Returns the mean over examples of ||x̃||² with x̃ = (x, 1), the input extended by the
     * bias. Half of it bounds the largest Hessian eigenvalue of the mean cross-entropy of
     * softmax regression at any parameters, because one example's Hessian is (diag(p) − ppᵀ) ⊗ x̃x̃ᵀ,
     * and vᵀ(diag(p) − ppᵀ)v is the variance of v under p, at most ¼(max v − min v)² ≤ ½||v||².
     */
    static double meanSquaredExtendedInputNorm(DataSet data) {
        INDArray features = data.getFeatures();
        double squares = features.mul(features).sumNumber().doubleValue();
        return squares / data.numExamples() + 1;
    }
}
