package io.flatnesslab.flatness;

import java.util.ArrayList;
import java.util.List;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Layout of the flat parameter vector of a dense network, so that any vector of the same length
 * (a direction, a gradient, a perturbation) can be viewed layer by layer.
 *
 * <p>DL4J 1.0.0-M2.1 flattens each dense layer as its weight matrix W followed by its bias b,
 * layer after layer, input side first. W has shape [nIn, nOut] and is stored in column-major
 * ('f') order, so the incoming weights of output neuron j (column j, the neuron's "filter") are
 * the contiguous range {@code [weightOffset + j·nIn, weightOffset + (j+1)·nIn)}.
 * ParameterLayoutTests checks these views against the layers' own parameter views.
 */
public final class ParameterLayout {

    /**
     * One dense layer's place in the flat vector.
     *
     * @param weightOffset index of W[0, 0]
     * @param biasOffset index of b[0]
     */
    public record LayerBlock(int index, long weightOffset, long biasOffset, int fanIn, int fanOut) {

        /** Number of weights and biases of the layer. */
        public long size() {
            return (long) fanIn * fanOut + fanOut;
        }

        /** Index of the first weight of output neuron {@code j}'s incoming weights. */
        public long filterOffset(int j) {
            return weightOffset + (long) j * fanIn;
        }
    }

    private final List<LayerBlock> layers;

    private final long parameterCount;

    private ParameterLayout(List<LayerBlock> layers, long parameterCount) {
        this.layers = List.copyOf(layers);
        this.parameterCount = parameterCount;
    }

    /** Reads the layout of {@code network}, whose layers must all have a W and a b. */
    public static ParameterLayout of(MultiLayerNetwork network) {
        List<LayerBlock> blocks = new ArrayList<>();
        long offset = 0;
        for (int i = 0; i < network.getnLayers(); i++) {
            Layer layer = network.getLayer(i);
            INDArray weights = layer.getParam("W");
            if (weights == null || layer.getParam("b") == null || weights.rank() != 2) {
                throw new IllegalArgumentException("layer " + i + " is not a dense layer with weights W and bias b");
            }
            int fanIn = (int) weights.size(0);
            int fanOut = (int) weights.size(1);
            blocks.add(new LayerBlock(i, offset, offset + (long) fanIn * fanOut, fanIn, fanOut));
            offset += (long) fanIn * fanOut + fanOut;
        }
        if (offset != network.numParams()) {
            throw new IllegalArgumentException("layers hold " + offset + " parameters but the network has "
                    + network.numParams());
        }
        return new ParameterLayout(blocks, offset);
    }

    public List<LayerBlock> layers() {
        return layers;
    }

    public LayerBlock layer(int index) {
        return layers.get(index);
    }

    public long parameterCount() {
        return parameterCount;
    }

    /** Returns the view of layer {@code index}'s weights and bias together in {@code flat}. */
    public INDArray layerView(INDArray flat, int index) {
        LayerBlock block = layers.get(index);
        return range(flat, block.weightOffset(), block.weightOffset() + block.size());
    }

    /** Returns the [nIn, nOut] view of layer {@code index}'s weights in {@code flat}. */
    public INDArray weights(INDArray flat, int index) {
        LayerBlock block = layers.get(index);
        return range(flat, block.weightOffset(), block.biasOffset()).reshape('f', block.fanIn(), block.fanOut());
    }

    /** Returns the view of layer {@code index}'s bias in {@code flat}. */
    public INDArray bias(INDArray flat, int index) {
        LayerBlock block = layers.get(index);
        return range(flat, block.biasOffset(), block.biasOffset() + block.fanOut());
    }

    /** Returns the view of the incoming weights of output neuron {@code j} of layer {@code index}. */
    public INDArray filter(INDArray flat, int index, int j) {
        LayerBlock block = layers.get(index);
        return range(flat, block.filterOffset(j), block.filterOffset(j) + block.fanIn());
    }

    /** Returns a view of elements [from, to) of a flat [1, n] or [n] vector. */
    static INDArray range(INDArray flat, long from, long to) {
        INDArray vector = flat.rank() == 2 ? flat.reshape(flat.length()) : flat;
        return vector.get(NDArrayIndex.interval(from, to));
    }
}
