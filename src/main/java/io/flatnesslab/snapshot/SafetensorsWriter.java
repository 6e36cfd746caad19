package io.flatnesslab.snapshot;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Writer of a DL4J multilayer perceptron as a safetensors file with PyTorch {@code nn.Linear}
 * names and layout: {@code fc1.weight} [out, in], {@code fc1.bias} [out], {@code fc2.weight},
 * ..., all float32 little-endian, so {@code torch.nn.Module.load_state_dict} takes them.
 *
 * <p>A safetensors file is an unsigned 64-bit little-endian header length N, N bytes of JSON
 * header (here padded with spaces to a multiple of 8), then the tensor data. DL4J keeps a dense
 * layer's weights as an [in, out] matrix in column-major order, which is the same sequence of
 * numbers as PyTorch's row-major [out, in] weight. The flattened DL4J parameter vector (W then
 * b for each layer) is therefore exactly the safetensors data section, and it is written as it
 * is, in chunks, without a second full copy in the heap.
 */
public final class SafetensorsWriter {

    private static final int CHUNK_FLOATS = 1 << 18;

    private SafetensorsWriter() {
    }

    /** Returns the architecture of a network built by {@code NetworkFactory}. */
    public static MlpLayout layoutOf(MultiLayerNetwork network) {
        List<Integer> hidden = new ArrayList<>();
        Layer[] layers = network.getLayers();
        long input = layers[0].getParam("W").size(0);
        for (int i = 0; i < layers.length - 1; i++) {
            hidden.add((int) layers[i].getParam("W").size(1));
        }
        long classes = layers[layers.length - 1].getParam("W").size(1);
        return new MlpLayout((int) input, hidden, (int) classes);
    }

    /** Returns the exact length of the file {@link #write} produces for {@code layout}. */
    public static long contentLength(MlpLayout layout) {
        return 8L + header(layout).length + 4L * layout.parameterCount();
    }

    /** Writes {@code network} to {@code out} in the safetensors format. */
    public static void write(MultiLayerNetwork network, OutputStream out) throws IOException {
        MlpLayout layout = layoutOf(network);
        byte[] header = header(layout);
        ByteBuffer length = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length);
        out.write(length.array());
        out.write(header);

        INDArray flat = network.params().reshape(network.numParams());
        ByteBuffer chunk = ByteBuffer.allocate(CHUNK_FLOATS * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (long start = 0; start < flat.length(); start += CHUNK_FLOATS) {
            long end = Math.min(flat.length(), start + CHUNK_FLOATS);
            float[] values = flat.get(NDArrayIndex.interval(start, end)).toFloatVector();
            chunk.clear();
            chunk.asFloatBuffer().put(values);
            out.write(chunk.array(), 0, values.length * 4);
        }
        out.flush();
    }

    /** Builds the JSON header; key order and spacing are fixed so equal models give equal bytes. */
    static byte[] header(MlpLayout layout) {
        StringBuilder json = new StringBuilder("{\"__metadata__\":{\"format\":\"pt\",\"architecture\":\"")
                .append(layout.describe()).append("\"}");
        long offset = 0;
        for (int i = 0; i < layout.depth(); i++) {
            long weightBytes = 4L * layout.fanIn(i) * layout.fanOut(i);
            long biasBytes = 4L * layout.fanOut(i);
            json.append(",\"fc").append(i + 1).append(".weight\":{\"dtype\":\"F32\",\"shape\":[")
                    .append(layout.fanOut(i)).append(',').append(layout.fanIn(i)).append("],\"data_offsets\":[")
                    .append(offset).append(',').append(offset + weightBytes).append("]}");
            offset += weightBytes;
            json.append(",\"fc").append(i + 1).append(".bias\":{\"dtype\":\"F32\",\"shape\":[")
                    .append(layout.fanOut(i)).append("],\"data_offsets\":[")
                    .append(offset).append(',').append(offset + biasBytes).append("]}");
            offset += biasBytes;
        }
        json.append('}');
        while (json.length() % 8 != 0) {
            json.append(' ');
        }
        return json.toString().getBytes(StandardCharsets.US_ASCII);
    }
}
