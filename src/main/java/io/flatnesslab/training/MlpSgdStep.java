package io.flatnesslab.training;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * One plain SGD step of a {@link NetworkFactory} network (ReLU dense layers, softmax output,
 * mean cross-entropy), computed with explicit ND4J matrix products into buffers allocated once
 * per batch size, and applied to the network's parameters in place.
 *
 * <p>It computes what {@code MultiLayerNetwork.fit} computes for these networks, for a batch X
 * of B examples with one-hot labels Y:
 * <pre>
 *   A_0 = X,  A_l = relu(A_(l−1)·W_l + b_l),  P = softmax(A_(L−1)·W_L + b_L)
 *   loss = −(1/B)·Σ log P[y]
 *   G_L = (P − Y)/B,  G_l = (G_(l+1)·W_(l+1)ᵀ) ⊙ [A_l > 0]
 *   W_l ← W_l − η·A_(l−1)ᵀ·G_l,  b_l ← b_l − η·Σ_rows G_l
 * </pre>
 * but without DL4J's per-step overhead: its workspaces, layer-by-layer gradient maps and
 * updater. The weight update is fused into the product that computes the weight gradient
 * (a gemm with α = −η and β = 1 writing into W_l), after G_(l−1) has been computed from the
 * old W_l, so no gradient vector is stored and no separate pass over the 29 million
 * parameters of 784-5000-5000-10 is needed. Products and sums run in another order than in
 * DL4J, so parameters agree with {@code fit} to float32 round-off, not bit for bit
 * (MlpSgdStepTests compares them).
 *
 * <p>Not thread-safe: one instance per network and training thread.
 */
final class MlpSgdStep {

    private final List<INDArray> weights = new ArrayList<>();

    private final List<INDArray> biases = new ArrayList<>();

    private final int[] widths;

    private final double learningRate;

    private final ActivationReLU relu = new ActivationReLU();

    private final Map<Integer, INDArray[]> activationBuffers = new HashMap<>();

    private final Map<Integer, INDArray[]> gradientBuffers = new HashMap<>();

    private INDArray[] activations;

    private INDArray[] activationGradients;

    MlpSgdStep(MultiLayerNetwork network, double learningRate) {
        this.learningRate = learningRate;
        INDArray parameters = network.params();

        Layer[] layers = network.getLayers();
        widths = new int[layers.length + 1];
        long found = 0;
        for (int l = 0; l < layers.length; l++) {
            // Views into the network's flat parameter vector, so updates reach the network.
            INDArray weight = layers[l].getParam("W");
            INDArray bias = layers[l].getParam("b");
            widths[l] = (int) weight.size(0);
            widths[l + 1] = (int) weight.size(1);
            weights.add(weight);
            biases.add(bias);
            found += weight.length() + bias.length();
        }
        if (found != parameters.length() || parameters.dataType() != DataType.FLOAT) {
            throw new IllegalArgumentException("network is not a float32 stack of dense layers with W and b: "
                    + found + " parameters found in the layers, " + parameters.length() + " in the network");
        }
    }

    /**
     * Makes one step on a batch and returns the batch's mean loss and correct predictions, both
     * computed with the parameters before the step.
     *
     * @param features B × inputs
     * @param oneHotLabels B × classes
     * @param labels class index of each of the B examples
     */
    StepResult step(INDArray features, INDArray oneHotLabels, int[] labels) {
        int rows = (int) features.size(0);
        allocate(rows);
        int layerCount = weights.size();

        INDArray input = features;
        for (int l = 0; l < layerCount; l++) {
            INDArray output = activations[l];
            Nd4j.gemm(input, weights.get(l), output, false, false, 1.0, 0.0);
            output.addiRowVector(biases.get(l));
            if (l < layerCount - 1) {
                Transforms.relu(output, false);
            }
            input = output;
        }

        INDArray probabilities = Transforms.softmax(activations[layerCount - 1], false);
        StepResult result = lossAndCorrect(probabilities, oneHotLabels, labels);

        // The output gradient overwrites the probabilities, which are no longer needed.
        INDArray layerGradient = probabilities.subi(oneHotLabels).divi(rows);
        for (int l = layerCount - 1; l >= 0; l--) {
            INDArray below = l == 0 ? features : activations[l - 1];
            INDArray belowGradient = null;
            if (l > 0) {
                // From the old W_l, before the update below changes it.
                belowGradient = activationGradients[l - 1];
                Nd4j.gemm(layerGradient, weights.get(l), belowGradient, false, true, 1.0, 0.0);
            }

            Nd4j.gemm(below, layerGradient, weights.get(l), true, false, -learningRate, 1.0);
            INDArray bias = biases.get(l);
            bias.subi(layerGradient.sum(0).reshape(bias.shape()).muli(learningRate));

            if (l > 0) {
                layerGradient = relu.backprop(below, belowGradient).getFirst();
            }
        }
        return result;
    }

    private StepResult lossAndCorrect(INDArray probabilities, INDArray oneHotLabels, int[] labels) {
        INDArray labelProbabilities = probabilities.mul(oneHotLabels).sum(1);
        double loss = -Transforms.log(labelProbabilities, false).meanNumber().doubleValue();

        INDArray predicted = probabilities.argMax(1);
        int correct = 0;
        for (int i = 0; i < labels.length; i++) {
            correct += predicted.getInt(i) == labels[i] ? 1 : 0;
        }
        return new StepResult(loss, correct);
    }

    /** Selects the buffers for a batch of {@code rows}; an epoch has at most two batch sizes. */
    private void allocate(int rows) {
        activations = activationBuffers.computeIfAbsent(rows, this::buffers);
        activationGradients = gradientBuffers.computeIfAbsent(rows, this::buffers);
    }

    private INDArray[] buffers(int rows) {
        INDArray[] buffers = new INDArray[weights.size()];
        for (int l = 0; l < buffers.length; l++) {
            buffers[l] = Nd4j.create(DataType.FLOAT, rows, widths[l + 1]);
        }
        return buffers;
    }

    /**
     * Loss and accuracy of a batch before its step.
     *
     * @param meanLoss mean cross-entropy of the batch
     * @param correct examples whose largest output is their label
     */
    record StepResult(double meanLoss, int correct) {
    }
}
