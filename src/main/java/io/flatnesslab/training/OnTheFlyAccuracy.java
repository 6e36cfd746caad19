package io.flatnesslab.training;

import java.util.List;

import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Counts correct predictions of the training forward pass, before the step's update, as a
 * PyTorch loop that compares {@code output.argmax(1)} with the targets does.
 *
 * <p>DL4J 1.0.0-M2.1 hands {@code onForwardPass} the activations of the input and the hidden
 * layers but not of the output layer, whose forward pass runs inside backpropagation. So the
 * listener applies only the output layer's affine map to the last hidden activation. Softmax is
 * monotonic, so the argmax of these logits is the predicted class. That costs one
 * {@code batch x width x classes} product, against the network's full forward pass.
 */
final class OnTheFlyAccuracy extends BaseTrainingListener {

    private final MultiLayerNetwork network;

    private int[] batchLabels;

    private long correct;

    private long seen;

    OnTheFlyAccuracy(MultiLayerNetwork network) {
        this.network = network;
    }

    /** Sets the labels of the minibatch about to be fitted. */
    void expect(int[] labels) {
        this.batchLabels = labels;
    }

    void resetEpoch() {
        correct = 0;
        seen = 0;
    }

    double epochAccuracy() {
        return seen == 0 ? 0.0 : (double) correct / seen;
    }

    long epochCorrect() {
        return correct;
    }

    @Override
    public void onForwardPass(Model model, List<INDArray> activations) {
        if (batchLabels == null) {
            return;
        }
        int layerCount = network.getnLayers();
        INDArray last = activations.get(activations.size() - 1);

        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            INDArray scores;
            if (activations.size() > layerCount) {
                // Output activations included: a later DL4J version may pass them.
                scores = last;
            } else {
                INDArray weights = network.getLayer(layerCount - 1).getParam("W");
                INDArray bias = network.getLayer(layerCount - 1).getParam("b");
                scores = last.mmul(weights).addiRowVector(bias);
            }

            INDArray predicted = scores.argMax(1);
            for (int row = 0; row < batchLabels.length; row++) {
                if (predicted.getInt(row) == batchLabels[row]) {
                    correct++;
                }
            }
            seen += batchLabels.length;
        }
        batchLabels = null;
    }
}
