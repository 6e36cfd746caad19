package io.flatnesslab.snapshot;

import java.util.List;

/**
 * Architecture of a multilayer perceptron: input size, hidden widths and output size.
 *
 * @param hiddenLayers widths of the hidden layers, input side first
 */
public record MlpLayout(int inputSize, List<Integer> hiddenLayers, int classCount) {

    public MlpLayout {
        hiddenLayers = List.copyOf(hiddenLayers);
    }

    /** Number of linear layers. */
    public int depth() {
        return hiddenLayers.size() + 1;
    }

    /** Returns the input width of linear layer {@code index} (0-based). */
    public int fanIn(int index) {
        return index == 0 ? inputSize : hiddenLayers.get(index - 1);
    }

    /** Returns the output width of linear layer {@code index} (0-based). */
    public int fanOut(int index) {
        return index == hiddenLayers.size() ? classCount : hiddenLayers.get(index);
    }

    /** Number of weights and biases. */
    public long parameterCount() {
        long count = 0;
        for (int i = 0; i < depth(); i++) {
            count += (long) fanIn(i) * fanOut(i) + fanOut(i);
        }
        return count;
    }

    /** Returns the architecture as {@code 784-64-64-10}. */
    public String describe() {
        StringBuilder text = new StringBuilder().append(inputSize);
        hiddenLayers.forEach(width -> text.append('-').append(width));
        return text.append('-').append(classCount).toString();
    }
}
