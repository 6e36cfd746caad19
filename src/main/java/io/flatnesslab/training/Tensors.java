package io.flatnesslab.training;

import io.flatnesslab.dataset.LabeledData;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/** Conversions from {@link LabeledData} to float32 ND4J arrays. */
public final class Tensors {

    private Tensors() {
    }

    /** Returns the {@code [size, inputSize]} feature matrix. */
    public static INDArray features(LabeledData data) {
        return Nd4j.create(data.features(), new long[] {data.size(), data.inputSize()}, 'c');
    }

    /** Returns the {@code [size, classCount]} one-hot label matrix. */
    public static INDArray oneHotLabels(LabeledData data) {
        INDArray labels = Nd4j.zeros(DataType.FLOAT, data.size(), data.classCount());
        for (int row = 0; row < data.size(); row++) {
            labels.putScalar(row, data.labels()[row], 1.0f);
        }
        return labels;
    }

    /** Returns features and one-hot labels as one DL4J data set. */
    public static DataSet dataSet(LabeledData data) {
        return new DataSet(features(data), oneHotLabels(data));
    }
}
