package io.flatnesslab.snapshot;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import io.flatnesslab.training.NetworkFactory;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reader of safetensors files that hold a multilayer perceptron of {@code nn.Linear} layers
 * named {@code fc1}, {@code fc2}, ... with ReLU between them, as {@link SafetensorsWriter}
 * and PyTorch's {@code save_file(model.state_dict())} write them.
 *
 * <p>Every field of the file is checked before any tensor data is read: the header length
 * against the file length and {@link #MAX_HEADER_BYTES}, the JSON structure, each tensor's
 * dtype (F32 or F16), shape and byte range, that the ranges tile the data section exactly,
 * that the names are fc1..fcL weight and bias, and that the shapes chain from layer to layer.
 * So a malformed or hostile file is rejected with a {@link SafetensorsFormatException} and
 * never makes the reader allocate more than the file's real size.
 */
public final class SafetensorsReader {

    /** Largest accepted JSON header. An MLP's header is well under 1 KiB per layer. */
    public static final long MAX_HEADER_BYTES = 1 << 20;

    private static final JsonMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    private static final int CHUNK_ELEMENTS = 1 << 18;

    /**
     * Parts of Jackson's parser messages that name its Java settings rather than the header:
     * where an unclosed value started, the feature that would accept the input, and the
     * constraint that limits it.
     */
    private static final List<Pattern> JACKSON_SETTINGS = List.of(
            Pattern.compile("\\s*\\([^()]*\\[Source: .*?\\]\\)"),
            Pattern.compile(": enable `[^`]*` to allow"),
            Pattern.compile(", from `[^`]*`"));

    private SafetensorsReader() {
    }

    /**
     * Validates a file and returns its layout and tensor locations.
     *
     * @throws SafetensorsFormatException when the file is not a valid safetensors MLP
     */
    public static SafetensorsModel inspect(Path file) throws IOException {
        long size = Files.size(file);
        if (size < 8) {
            throw new SafetensorsFormatException("file is " + size + " bytes long, shorter than the 8-byte header length");
        }

        long headerLength;
        byte[] header;
        try (InputStream in = Files.newInputStream(file)) {
            headerLength = ByteBuffer.wrap(in.readNBytes(8)).order(ByteOrder.LITTLE_ENDIAN).getLong();
            if (headerLength < 2 || headerLength > MAX_HEADER_BYTES) {
                throw new SafetensorsFormatException("invalid header length " + Long.toUnsignedString(headerLength)
                        + "; expected 2 to " + MAX_HEADER_BYTES + " bytes");
            }
            if (8 + headerLength > size) {
                throw new SafetensorsFormatException("header length " + headerLength + " exceeds the " + (size - 8)
                        + " bytes that follow the length field");
            }
            header = in.readNBytes((int) headerLength);
        }

        long dataLength = size - 8 - headerLength;
        Map<String, TensorEntry> tensors = parseHeader(header, dataLength);
        MlpLayout layout = layout(tensors);
        return new SafetensorsModel(layout, tensors, 8 + headerLength, dataLength);
    }

    /**
     * Builds a float32 network from a file that {@link #inspect} accepted. The file's values
     * become the parameters exactly (F16 values are widened to float32 exactly).
     */
    public static MultiLayerNetwork load(Path file, SafetensorsModel model) throws IOException {
        MlpLayout layout = model.layout();
        MultiLayerNetwork network = NetworkFactory.build(layout.inputSize(), layout.hiddenLayers(), layout.classCount(),
                0.1, 0);
        INDArray flat = network.params().reshape(network.numParams());

        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long offset = 0;
            for (int i = 0; i < layout.depth(); i++) {
                for (String suffix : List.of(".weight", ".bias")) {
                    TensorEntry entry = model.tensors().get("fc" + (i + 1) + suffix);
                    copy(channel, model.dataStart() + entry.begin(), entry, flat, offset);
                    offset += entry.elementCount();
                }
            }
        }
        return network;
    }

    private static void copy(FileChannel channel, long position, TensorEntry entry, INDArray flat, long flatOffset)
            throws IOException {
        int width = entry.dtype().bytes();
        ByteBuffer buffer = ByteBuffer.allocate(CHUNK_ELEMENTS * width).order(ByteOrder.LITTLE_ENDIAN);

        for (long done = 0; done < entry.elementCount(); ) {
            int count = (int) Math.min(CHUNK_ELEMENTS, entry.elementCount() - done);
            buffer.clear().limit(count * width);
            long at = position + done * width;
            while (buffer.hasRemaining()) {
                if (channel.read(buffer, at + buffer.position()) < 0) {
                    throw new SafetensorsFormatException("file ended inside tensor " + entry.name());
                }
            }
            buffer.flip();

            float[] values = new float[count];
            for (int j = 0; j < count; j++) {
                values[j] = entry.dtype() == Dtype.F32 ? buffer.getFloat() : halfToFloat(buffer.getShort());
                if (!Float.isFinite(values[j])) {
                    throw new SafetensorsFormatException("tensor " + entry.name() + " contains " + values[j] + " at element "
                            + (done + j) + "; a model to measure needs finite weights");
                }
            }
            flat.get(NDArrayIndex.interval(flatOffset + done, flatOffset + done + count)).assign(Nd4j.createFromArray(values));
            done += count;
        }
    }

    private static Map<String, TensorEntry> parseHeader(byte[] header, long dataLength) {
        JsonNode root;
        try {
            root = JSON.readTree(header);
        } catch (JacksonException e) {
            throw new SafetensorsFormatException("header is not valid JSON: " + parserProblem(e));
        }
        if (root == null || !root.isObject()) {
            throw new SafetensorsFormatException("header must be a JSON object mapping tensor names to entries");
        }

        Map<String, TensorEntry> tensors = new HashMap<>();
        for (Map.Entry<String, JsonNode> field : root.properties()) {
            if (field.getKey().equals("__metadata__")) {
                continue;
            }
            tensors.put(field.getKey(), entry(field.getKey(), field.getValue(), dataLength));
        }
        if (tensors.isEmpty()) {
            throw new SafetensorsFormatException("header lists no tensors");
        }

        List<TensorEntry> byOffset = new ArrayList<>(tensors.values());
        byOffset.sort(Comparator.comparingLong(TensorEntry::begin));
        long expected = 0;
        for (TensorEntry entry : byOffset) {
            if (entry.begin() != expected) {
                throw new SafetensorsFormatException("tensor " + entry.name() + " starts at data offset " + entry.begin()
                        + " but the previous tensor ends at " + expected + "; tensors must tile the data without gaps or overlaps");
            }
            expected = entry.end();
        }
        if (expected != dataLength) {
            throw new SafetensorsFormatException("tensors cover " + expected + " data bytes but the file has " + dataLength
                    + " bytes after the header");
        }
        return tensors;
    }

    private static String parserProblem(JacksonException exception) {
        String message = String.valueOf(exception.getOriginalMessage());
        for (Pattern setting : JACKSON_SETTINGS) {
            message = setting.matcher(message).replaceAll("");
        }
        int javaName = message.indexOf('`');
        return javaName < 0 ? message : message.substring(0, javaName).strip();
    }

    private static TensorEntry entry(String name, JsonNode node, long dataLength) {
        if (!node.isObject()) {
            throw new SafetensorsFormatException("entry of tensor " + name + " must be an object with dtype, shape and data_offsets");
        }
        JsonNode dtypeNode = node.get("dtype");
        if (dtypeNode == null || !dtypeNode.isString()) {
            throw new SafetensorsFormatException("tensor " + name + " needs a dtype string, F32 or F16; got " + dtypeNode);
        }
        Dtype dtype = Dtype.parse(dtypeNode.asString());
        if (dtype == null) {
            throw new SafetensorsFormatException("tensor " + name + " has dtype " + dtypeNode.asString()
                    + "; supported dtypes are F32 and F16");
        }

        JsonNode shapeNode = node.get("shape");
        if (shapeNode == null || !shapeNode.isArray() || shapeNode.size() > 8) {
            throw new SafetensorsFormatException("tensor " + name + " needs a shape array of at most 8 dimensions; got "
                    + shapeNode);
        }
        long[] shape = new long[shapeNode.size()];
        long elements = 1;
        for (int i = 0; i < shape.length; i++) {
            JsonNode dimension = shapeNode.get(i);
            if (!dimension.isIntegralNumber() || !dimension.canConvertToLong() || dimension.asLong() < 0
                    || dimension.asLong() > Integer.MAX_VALUE) {
                throw new SafetensorsFormatException("tensor " + name + " has invalid dimension " + dimension + " in its shape");
            }
            shape[i] = dimension.asLong();
            try {
                elements = Math.multiplyExact(elements, shape[i]);
            } catch (ArithmeticException e) {
                throw new SafetensorsFormatException("tensor " + name + " of shape " + shapeNode + " has more than 2^63 elements");
            }
        }

        JsonNode offsets = node.get("data_offsets");
        if (offsets == null || !offsets.isArray() || offsets.size() != 2
                || !offsets.get(0).isIntegralNumber() || !offsets.get(1).isIntegralNumber()
                || !offsets.get(0).canConvertToLong() || !offsets.get(1).canConvertToLong()) {
            throw new SafetensorsFormatException("tensor " + name + " needs data_offsets [begin, end] of two integers "
                    + "between 0 and the data length");
        }
        long begin = offsets.get(0).asLong();
        long end = offsets.get(1).asLong();
        if (end < begin) {
            throw new SafetensorsFormatException("tensor " + name + " has data_offsets [" + begin + ", " + end
                    + "] that end before they begin");
        }
        if (begin < 0 || end > dataLength) {
            throw new SafetensorsFormatException("tensor " + name + " has data_offsets [" + begin + ", " + end
                    + "] outside the " + dataLength + " data bytes of the file");
        }
        if (elements > Long.MAX_VALUE / dtype.bytes() || elements * dtype.bytes() != end - begin) {
            throw new SafetensorsFormatException("tensor " + name + " of shape " + shapeNode + " and dtype " + dtype
                    + " needs " + (elements > Long.MAX_VALUE / dtype.bytes() ? "more than 2^63" : String.valueOf(elements * dtype.bytes()))
                    + " bytes but its data_offsets span " + (end - begin));
        }
        return new TensorEntry(name, dtype, shape, begin, end);
    }

    private static MlpLayout layout(Map<String, TensorEntry> tensors) {
        int depth = 0;
        while (tensors.containsKey("fc" + (depth + 1) + ".weight")) {
            depth++;
        }
        if (depth == 0) {
            throw new SafetensorsFormatException("no tensor fc1.weight; expected nn.Linear layers named fc1, fc2, ... "
                    + "with tensors fcN.weight [out, in] and fcN.bias [out]; found " + tensors.keySet());
        }
        if (tensors.size() != 2 * depth) {
            List<String> unexpected = new ArrayList<>();
            for (Iterator<String> names = tensors.keySet().iterator(); names.hasNext(); ) {
                String name = names.next();
                if (!name.matches("fc[1-9][0-9]*\\.(weight|bias)") || Integer.parseInt(name.substring(2, name.indexOf('.'))) > depth) {
                    unexpected.add(name);
                }
            }
            throw new SafetensorsFormatException("expected exactly fc1..fc" + depth + " weight and bias tensors; "
                    + (unexpected.isEmpty() ? "a bias is missing" : "unexpected tensors " + unexpected));
        }

        List<Integer> hidden = new ArrayList<>();
        long previousOut = -1;
        int input = 0;
        for (int i = 1; i <= depth; i++) {
            TensorEntry weight = tensors.get("fc" + i + ".weight");
            TensorEntry bias = tensors.get("fc" + i + ".bias");
            if (bias == null) {
                throw new SafetensorsFormatException("tensor fc" + i + ".bias is missing");
            }
            if (weight.shape().length != 2 || weight.shape()[0] < 1 || weight.shape()[1] < 1) {
                throw new SafetensorsFormatException("fc" + i + ".weight must have shape [out, in] with positive sizes; got "
                        + Arrays.toString(weight.shape()));
            }
            if (bias.shape().length != 1 || bias.shape()[0] != weight.shape()[0]) {
                throw new SafetensorsFormatException("fc" + i + ".bias must have shape [" + weight.shape()[0] + "]; got "
                        + Arrays.toString(bias.shape()));
            }
            if (i == 1) {
                input = (int) weight.shape()[1];
            } else if (weight.shape()[1] != previousOut) {
                throw new SafetensorsFormatException("shapes do not chain: fc" + (i - 1) + " has " + previousOut
                        + " outputs but fc" + i + ".weight expects " + weight.shape()[1] + " inputs");
            }
            if (i < depth) {
                hidden.add((int) weight.shape()[0]);
            }
            previousOut = weight.shape()[0];
        }
        return new MlpLayout(input, hidden, (int) previousOut);
    }

    /** Widens an IEEE 754 binary16 value to float32 exactly. */
    static float halfToFloat(short half) {
        int bits = half & 0xFFFF;
        int sign = (bits & 0x8000) << 16;
        int exponent = (bits >>> 10) & 0x1F;
        int mantissa = bits & 0x3FF;

        if (exponent == 0x1F) {
            return Float.intBitsToFloat(sign | 0x7F800000 | (mantissa << 13));
        }
        if (exponent == 0) {
            // Subnormal or zero: value = mantissa * 2^-24.
            float magnitude = mantissa * 0x1p-24f;
            return sign == 0 ? magnitude : -magnitude;
        }
        return Float.intBitsToFloat(sign | ((exponent + 112) << 23) | (mantissa << 13));
    }

    /** Element types this reader accepts. */
    public enum Dtype {
        F32(4), F16(2);

        private final int bytes;

        Dtype(int bytes) {
            this.bytes = bytes;
        }

        int bytes() {
            return bytes;
        }

        static Dtype parse(String text) {
            for (Dtype dtype : values()) {
                if (dtype.name().equals(text)) {
                    return dtype;
                }
            }
            return null;
        }
    }

    /** Location and type of one tensor; offsets are relative to the start of the data section. */
    public record TensorEntry(String name, Dtype dtype, long[] shape, long begin, long end) {

        long elementCount() {
            return (end - begin) / dtype.bytes();
        }
    }

    /**
     * A validated file.
     *
     * @param dataStart file offset of the data section
     */
    public record SafetensorsModel(MlpLayout layout, Map<String, TensorEntry> tensors, long dataStart, long dataLength) {

        /** Dtype of the file's tensors, or MIXED when they differ. */
        public String dtype() {
            long distinct = tensors.values().stream().map(TensorEntry::dtype).distinct().count();
            return distinct == 1 ? tensors.values().iterator().next().dtype().name() : "MIXED";
        }
    }
}
