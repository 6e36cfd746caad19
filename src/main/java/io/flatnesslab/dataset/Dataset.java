package io.flatnesslab.dataset;

import java.util.Objects;

/**
 * Labelled images loaded from an IDX images file and an IDX labels file of the same length.
 *
 * @param name name that experiment specs use to select the dataset
 * @param source where the files came from ({@code embedded} or a directory path)
 * @param images the images, one unsigned byte per pixel
 * @param labels one class index per image
 * @param classCount number of classes, the largest label plus one
 */
public record Dataset(String name, String source, IdxImages images, byte[] labels, int classCount) {

    public Dataset {
        Objects.requireNonNull(name, "name");
        if (images.count() != labels.length) {
            throw new IllegalArgumentException("image count " + images.count() + " differs from label count " + labels.length);
        }
    }

    /** Number of examples. */
    public int size() {
        return labels.length;
    }

    /** Number of input features of one example: rows times columns. */
    public int inputSize() {
        return images.rows() * images.columns();
    }

    /** Class index of example {@code index}, in {@code [0, classCount)}. */
    public int label(int index) {
        return Byte.toUnsignedInt(labels[index]);
    }

    /**
     * Copies the selected examples into a dense feature matrix with pixels scaled to [0, 1].
     *
     * @param indices dataset indices of the examples, in the order they should appear
     */
    public LabeledData select(int[] indices) {
        int width = inputSize();
        float[] features = new float[indices.length * width];
        int[] selectedLabels = new int[indices.length];
        byte[] pixels = images.pixels();

        for (int row = 0; row < indices.length; row++) {
            int index = indices[row];
            if (index < 0 || index >= size()) {
                throw new IndexOutOfBoundsException("index " + index + " is outside dataset " + name + " of size " + size());
            }
            int offset = index * width;
            for (int column = 0; column < width; column++) {
                features[row * width + column] = Byte.toUnsignedInt(pixels[offset + column]) / 255.0f;
            }
            selectedLabels[row] = label(index);
        }
        return new LabeledData(features, selectedLabels, width, classCount);
    }
}
