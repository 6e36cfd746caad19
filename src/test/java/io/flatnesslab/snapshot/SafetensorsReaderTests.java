package io.flatnesslab.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsReaderTests {

    @TempDir
    Path directory;

    @Test
    void tinyModelLoadsInParameterOrder() throws Exception {
        float[] values = new float[14];
        for (int i = 0; i < values.length; i++) {
            values[i] = i * 0.25f - 1;
        }
        Path file = write(SafetensorsTestFiles.file(SafetensorsTestFiles.tinyHeader(), SafetensorsTestFiles.floats(values)));

        SafetensorsReader.SafetensorsModel model = SafetensorsReader.inspect(file);
        MultiLayerNetwork network = SafetensorsReader.load(file, model);

        assertThat(model.layout()).isEqualTo(new MlpLayout(3, List.of(2), 2));
        assertThat(model.dtype()).isEqualTo("F32");
        assertThat(network.params().toFloatVector()).containsExactly(values);
        // PyTorch's fc1.weight[o][i] is DL4J's W[i][o]: row 1 of the PyTorch weight is column 1 here.
        assertThat(network.getLayer(0).getParam("W").getFloat(2, 1)).isEqualTo(values[5]);
    }

    @Test
    void halfPrecisionWidensExactly() {
        assertThat(SafetensorsReader.halfToFloat((short) 0x3C00)).isEqualTo(1.0f);
        assertThat(SafetensorsReader.halfToFloat((short) 0xC000)).isEqualTo(-2.0f);
        assertThat(SafetensorsReader.halfToFloat((short) 0x7BFF)).isEqualTo(65504.0f);
        assertThat(SafetensorsReader.halfToFloat((short) 0x0001)).isEqualTo((float) Math.pow(2, -24));
        assertThat(SafetensorsReader.halfToFloat((short) 0x8000)).isEqualTo(-0.0f);
        assertThat(SafetensorsReader.halfToFloat((short) 0x7C00)).isEqualTo(Float.POSITIVE_INFINITY);
        assertThat(SafetensorsReader.halfToFloat((short) 0x7E00)).isNaN();
        assertThat(SafetensorsReader.halfToFloat((short) 0x3555)).isEqualTo(0.333251953125f);
    }

    @Test
    void twoGigabyteHeaderLengthIsRejected() throws Exception {
        Path file = write(SafetensorsTestFiles.withDeclaredLength(2L << 30, "{}".getBytes()));

        assertThatThrownBy(() -> SafetensorsReader.inspect(file))
                .isInstanceOf(SafetensorsFormatException.class)
                .hasMessageContaining("invalid header length 2147483648");
    }

    @Test
    void negativeHeaderLengthIsRejected() throws Exception {
        Path file = write(SafetensorsTestFiles.withDeclaredLength(-1, "{}".getBytes()));

        assertThatThrownBy(() -> SafetensorsReader.inspect(file))
                .isInstanceOf(SafetensorsFormatException.class)
                .hasMessageContaining("invalid header length 18446744073709551615");
    }

    @Test
    void headerLongerThanFileIsRejected() throws Exception {
        Path file = write(SafetensorsTestFiles.withDeclaredLength(500, "{\"a\":1}".getBytes()));

        assertThatThrownBy(() -> SafetensorsReader.inspect(file))
                .isInstanceOf(SafetensorsFormatException.class)
                .hasMessageContaining("header length 500 exceeds the 7 bytes");
    }

    @Test
    void shortFileIsRejected() throws Exception {
        Path file = write(new byte[] {1, 2, 3});

        assertThatThrownBy(() -> SafetensorsReader.inspect(file))
                .isInstanceOf(SafetensorsFormatException.class)
                .hasMessageContaining("3 bytes long");
    }

    @Test
    void malformedHeadersAreRejected() throws Exception {
        String tiny = SafetensorsTestFiles.tinyHeader();
        byte[] data = new byte[56];
        List<String[]> cases = List.of(
                new String[] {"{\"fc1.weight\": ", "not valid JSON"},
                new String[] {"[1, 2]", "must be a JSON object"},
                new String[] {"{\"__metadata__\":{}}", "no tensors"},
                new String[] {tiny.replace("\"F32\",\"shape\":[2,3]", "\"BF16\",\"shape\":[2,3]"), "dtype BF16"},
                new String[] {tiny.replace("[48,56]", "[48,60]"), "outside the 56 data bytes"},
                new String[] {tiny.replace("[24,32]", "[20,28]"), "tensors must tile the data"},
                new String[] {tiny.replace("\"shape\":[2,3]", "\"shape\":[2,4]"), "needs 32 bytes but its data_offsets span 24"},
                new String[] {tiny.replace("\"shape\":[2,3]", "\"shape\":[2,-3]"), "invalid dimension -3"},
                new String[] {tiny.replace("\"shape\":[2],\"data_offsets\":[24,32]", "\"shape\":[1,2],\"data_offsets\":[24,32]"),
                        "fc1.bias must have shape [2]"},
                new String[] {tiny.replace("fc2.", "layer2."), "unexpected tensors"},
                new String[] {tiny.replace("fc1.", "encoder."), "no tensor fc1.weight"},
                new String[] {tiny.replace("[48,56]", "[48,9223372036854775813]"), "two integers"},
                new String[] {tiny.replace("\"shape\":[2,3]", "\"shape\":[2,18446744073709551616]"), "invalid dimension"},
                new String[] {tiny.replace("[48,56]", "[56,48]"), "end before they begin"},
                new String[] {tiny.replace("\"dtype\":\"F32\",\"shape\":[2,3]", "\"dtype\":32,\"shape\":[2,3]"), "dtype string"},
                new String[] {tiny.replace("}}", "},\"fc2.bias\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[48,56]}}"),
                        "Duplicate"});

        for (String[] testCase : cases) {
            Path file = write(SafetensorsTestFiles.file(testCase[0], data));
            assertThatThrownBy(() -> SafetensorsReader.inspect(file))
                    .as(testCase[0])
                    .isInstanceOf(SafetensorsFormatException.class)
                    .hasMessageContaining(testCase[1]);
        }
    }

    @Test
    void nonFiniteWeightsAreRejected() throws Exception {
        float[] values = new float[14];
        values[9] = Float.NaN;
        Path file = write(SafetensorsTestFiles.file(SafetensorsTestFiles.tinyHeader(), SafetensorsTestFiles.floats(values)));
        SafetensorsReader.SafetensorsModel model = SafetensorsReader.inspect(file);

        assertThatThrownBy(() -> SafetensorsReader.load(file, model))
                .isInstanceOf(SafetensorsFormatException.class)
                .hasMessageContaining("fc2.weight contains NaN at element 1");
    }

    @Test
    void shapesThatDoNotChainAreRejected() throws Exception {
        String header = "{\"fc1.weight\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,24]},"
                + "\"fc1.bias\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[24,32]},"
                + "\"fc2.weight\":{\"dtype\":\"F32\",\"shape\":[1,4],\"data_offsets\":[32,48]},"
                + "\"fc2.bias\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[48,52]}}";
        Path file = write(SafetensorsTestFiles.file(header, new byte[52]));

        assertThatThrownBy(() -> SafetensorsReader.inspect(file))
                .isInstanceOf(SafetensorsFormatException.class)
                .hasMessageContaining("fc1 has 2 outputs but fc2.weight expects 4 inputs");
    }

    @Test
    void trailingBytesAfterTensorsAreRejected() throws Exception {
        Path file = write(SafetensorsTestFiles.file(SafetensorsTestFiles.tinyHeader(), new byte[60]));

        assertThatThrownBy(() -> SafetensorsReader.inspect(file))
                .isInstanceOf(SafetensorsFormatException.class)
                .hasMessageContaining("tensors cover 56 data bytes but the file has 60");
    }

    @Test
    void writerOutputReadsBackBitExact() throws Exception {
        Path file = write(SafetensorsTestFiles.file(SafetensorsTestFiles.tinyHeader(),
                SafetensorsTestFiles.floats(1e-30f, -0.0f, 3.4e38f, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, Float.MIN_VALUE)));
        MultiLayerNetwork network = SafetensorsReader.load(file, SafetensorsReader.inspect(file));

        Path exported = directory.resolve("exported.safetensors");
        try (var out = Files.newOutputStream(exported)) {
            SafetensorsWriter.write(network, out);
        }
        MultiLayerNetwork reloaded = SafetensorsReader.load(exported, SafetensorsReader.inspect(exported));

        assertThat(Files.size(exported)).isEqualTo(SafetensorsWriter.contentLength(SafetensorsWriter.layoutOf(network)));
        float[] original = network.params().toFloatVector();
        float[] roundTripped = reloaded.params().toFloatVector();
        for (int i = 0; i < original.length; i++) {
            assertThat(Float.floatToRawIntBits(roundTripped[i])).as("parameter %d", i)
                    .isEqualTo(Float.floatToRawIntBits(original[i]));
        }
    }

    private Path write(byte[] content) throws Exception {
        return Files.write(Files.createTempFile(directory, "model", ".safetensors"), content);
    }
}
