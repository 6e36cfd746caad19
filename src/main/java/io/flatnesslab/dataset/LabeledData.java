package io.flatnesslab.dataset;

/**
 * Examples ready for training: a row-major feature matrix and a class index per row.
 *
 * @param features {@code size * inputSize} values in [0, 1], example after example
 * @param labels class index of each example
 * @param inputSize number of features per example
 * @param classCount number of classes the labels range over
 */
public record LabeledData(float[] features, int[] labels, int inputSize, int classCount) {

    /** Number of examples. */
    public int size() {
        return labels.length;
    }

    /** Returns a copy whose labels are replaced, for training on random labels. */
    public LabeledData withLabels(int[] replacement) {
        if (replacement.length != labels.length) {
            throw new IllegalArgumentException("expected " + labels.length + " labels, got " + replacement.length);
        }
        return new LabeledData(features, replacement, inputSize, classCount);
    }
}
