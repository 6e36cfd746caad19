package io.flatnesslab.web;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.GZIPOutputStream;

/**
 * Writes the binary files of the bad-input corpus: malformed safetensors uploads, IDX dataset
 * folders and request bodies that are not valid UTF-8. The files are committed, so tests never
 * run this class. Rerun it after changing a case and commit the result:
 *
 * <pre>java src/test/java/io/flatnesslab/web/BadInputFileGenerator.java src/test/resources/bad-input</pre>
 *
 * <p>It uses only the JDK, so the command above runs it without a build. Every file is a few
 * hundred bytes at most; the random bytes come from a fixed seed.
 */
final class BadInputFileGenerator {

    /** IDX magic numbers: unsigned bytes with three dimensions (images) and one (labels). */
    private static final int IMAGES_MAGIC = 0x0803;

    private static final int LABELS_MAGIC = 0x0801;

    /** The valid extra dataset: 12 images of 3x4 pixels with labels 0, 1, 2. */
    private static final int TINY_COUNT = 12;

    private static final int TINY_ROWS = 3;

    private static final int TINY_COLUMNS = 4;

    private final Path root;

    private BadInputFileGenerator(Path root) {
        this.root = root;
    }

    public static void main(String[] args) {
        if (args.length != 1) {
            System.err.println("usage: java BadInputFileGenerator.java <corpus folder, e.g. src/test/resources/bad-input>");
            System.exit(2);
        }
        BadInputFileGenerator generator = new BadInputFileGenerator(Path.of(args[0]));
        generator.writeModels();
        generator.writeDatasets();
        generator.writeBinaryBodies();
    }

    private void writeModels() {
        // A 12-4-3 MLP: 12 inputs match the valid dataset "tiny", so only the defect under test fails.
        String fc1Weight = entry("fc1.weight", "F32", "[4,12]", 0, 192);
        String fc1Bias = entry("fc1.bias", "F32", "[4]", 192, 208);
        String fc2Weight = entry("fc2.weight", "F32", "[3,4]", 208, 256);
        String fc2Bias = entry("fc2.bias", "F32", "[3]", 256, 268);
        byte[] data = weights(67);

        model("empty", new byte[0]);
        model("shorter-than-length-field", new byte[] {2, 0, 0, 0});
        model("header-length-zero", withLength(0, new byte[16]));
        model("header-length-one", withLength(1, "{".getBytes(StandardCharsets.UTF_8)));
        model("header-length-2-gib", withLength(2L << 30, new byte[16]));
        model("header-length-all-ones", withLength(-1, new byte[16]));
        model("header-length-beyond-file", withLength(100, "{\"fc1.weight\":{}}".getBytes(StandardCharsets.UTF_8)));
        model("header-not-json", file("this is not json", new byte[0]));
        model("header-truncated-json", file("{\"fc1.weight\": [", new byte[8]));
        model("header-invalid-utf8", fileBytes(new byte[] {'{', '"', (byte) 0xff, (byte) 0xfe, '"', ':', '1', '}'}, new byte[0]));
        model("header-json-array", file("[]", new byte[0]));
        model("header-json-null", file("null", new byte[0]));
        model("header-json-string", file("\"fc1.weight\"", new byte[0]));
        model("header-trailing-garbage", file(header(fc1Weight, fc1Bias, fc2Weight, fc2Bias) + "xyz", data));
        model("header-deeply-nested", file("[".repeat(2000) + "]".repeat(2000), new byte[0]));
        model("header-no-tensors", file("{}", new byte[0]));
        model("header-only-metadata", file("{\"__metadata__\":{\"format\":\"pt\"}}", new byte[0]));
        model("header-duplicate-tensor", file("{" + fc1Weight + "," + fc1Weight + "}", Arrays.copyOf(data, 192)));
        model("entry-not-object", file("{\"fc1.weight\":5}", new byte[0]));
        model("dtype-missing", file(header(fc1Weight.replace("\"dtype\":\"F32\",", ""), fc1Bias, fc2Weight, fc2Bias), data));
        model("dtype-number", file(header(fc1Weight.replace("\"F32\"", "32"), fc1Bias, fc2Weight, fc2Bias), data));
        model("dtype-f64", file(header(fc1Weight, fc1Bias, fc2Weight, fc2Bias).replace("F32", "F64"), data));
        model("dtype-lowercase", file(header(fc1Weight.replace("F32", "f32"), fc1Bias, fc2Weight, fc2Bias), data));
        model("dtype-bf16", file(header(fc1Weight.replace("F32", "BF16"), fc1Bias, fc2Weight, fc2Bias), data));
        model("dtype-int8", file(header(fc1Weight.replace("F32", "I8"), fc1Bias, fc2Weight, fc2Bias), data));
        model("shape-missing", file(header(fc1Weight.replace("\"shape\":[4,12],", ""), fc1Bias, fc2Weight, fc2Bias), data));
        model("shape-not-array", file(header(fc1Weight.replace("[4,12]", "48"), fc1Bias, fc2Weight, fc2Bias), data));
        model("shape-nine-dimensions", file(header(fc1Weight.replace("[4,12]", "[4,12,1,1,1,1,1,1,1]"), fc1Bias,
                fc2Weight, fc2Bias), data));
        model("shape-negative", file(header(fc1Weight.replace("[4,12]", "[-4,-12]"), fc1Bias, fc2Weight, fc2Bias), data));
        model("shape-fractional", file(header(fc1Weight.replace("[4,12]", "[4.5,12]"), fc1Bias, fc2Weight, fc2Bias), data));
        model("shape-string", file(header(fc1Weight.replace("[4,12]", "[\"4\",12]"), fc1Bias, fc2Weight, fc2Bias), data));
        model("shape-above-int-range", file(header(fc1Weight.replace("[4,12]", "[4,4294967296]"), fc1Bias, fc2Weight,
                fc2Bias), data));
        model("shape-element-overflow", file(header(fc1Weight.replace("[4,12]",
                "[2147483647,2147483647,2147483647]"), fc1Bias, fc2Weight, fc2Bias), data));
        model("offsets-missing", file(header(fc1Weight.replace(",\"data_offsets\":[0,192]", ""), fc1Bias, fc2Weight,
                fc2Bias), data));
        model("offsets-three-values", file(header(fc1Weight.replace("[0,192]", "[0,96,192]"), fc1Bias, fc2Weight,
                fc2Bias), data));
        model("offsets-fractional", file(header(fc1Weight.replace("[0,192]", "[0,192.5]"), fc1Bias, fc2Weight,
                fc2Bias), data));
        model("offsets-reversed", file(header(fc1Weight.replace("[0,192]", "[192,0]"), fc1Bias, fc2Weight, fc2Bias), data));
        model("offsets-negative", file(header(fc1Weight.replace("[0,192]", "[-8,184]"), fc1Bias, fc2Weight, fc2Bias), data));
        model("offsets-beyond-data", file(header(fc1Weight, fc1Bias, fc2Weight, entry("fc2.bias", "F32", "[3]", 256, 1268)),
                data));
        model("offsets-overlap", file(header(fc1Weight, entry("fc1.bias", "F32", "[4]", 188, 204),
                entry("fc2.weight", "F32", "[3,4]", 204, 252), entry("fc2.bias", "F32", "[3]", 252, 264)),
                Arrays.copyOf(data, 264)));
        model("offsets-gap", file(header(fc1Weight, entry("fc1.bias", "F32", "[4]", 196, 212),
                entry("fc2.weight", "F32", "[3,4]", 212, 260), entry("fc2.bias", "F32", "[3]", 260, 272)),
                Arrays.copyOf(data, 272)));
        model("offsets-shape-mismatch", file(header(fc1Weight.replace("[4,12]", "[4,11]"), fc1Bias, fc2Weight, fc2Bias),
                data));
        model("data-after-last-tensor", file(header(fc1Weight, fc1Bias, fc2Weight, fc2Bias), Arrays.copyOf(data, 300)));
        model("names-not-fc", file(header(fc1Weight, fc1Bias, fc2Weight, fc2Bias).replace("fc", "layer"), data));
        model("bias-missing", file(header(fc1Weight, fc1Bias, fc2Weight), Arrays.copyOf(data, 256)));
        model("weight-missing", file(header(fc1Weight, fc1Bias, fc2Bias.replace("256,268", "208,220")),
                Arrays.copyOf(data, 220)));
        model("layer-skipped", file(header(fc1Weight, fc1Bias, fc2Weight.replace("fc2", "fc3"), fc2Bias.replace("fc2", "fc3")),
                data));
        model("extra-tensor", file(header(fc1Weight, fc1Bias, fc2Weight, fc2Bias,
                entry("running_mean", "F32", "[1]", 268, 272)), Arrays.copyOf(data, 272)));
        model("weight-one-dimensional", file(header(fc1Weight.replace("[4,12]", "[48]"), fc1Bias, fc2Weight, fc2Bias), data));
        model("weight-zero-outputs", file(header(entry("fc1.weight", "F32", "[0,12]", 0, 0),
                entry("fc1.bias", "F32", "[0]", 0, 0)), new byte[0]));
        model("bias-wrong-shape", file(header(fc1Weight, fc1Bias.replace("[4]", "[2,2]"), fc2Weight, fc2Bias), data));
        model("shapes-do-not-chain", file(header(fc1Weight, fc1Bias, entry("fc2.weight", "F32", "[3,5]", 208, 268),
                entry("fc2.bias", "F32", "[3]", 268, 280)), Arrays.copyOf(data, 280)));
        model("input-size-of-no-dataset", file(header(fc1Weight.replace("[4,12]", "[4,5]").replace("192", "80"),
                entry("fc1.bias", "F32", "[4]", 80, 96), entry("fc2.weight", "F32", "[3,4]", 96, 144),
                entry("fc2.bias", "F32", "[3]", 144, 156)), Arrays.copyOf(data, 156)));
        model("weight-nan", file(header(fc1Weight, fc1Bias, fc2Weight, fc2Bias), withFloat(data, 5, Float.NaN)));
        model("weight-infinity", file(header(fc1Weight, fc1Bias, fc2Weight, fc2Bias),
                withFloat(data, 60, Float.POSITIVE_INFINITY)));
        model("bias-negative-infinity", file(header(fc1Weight, fc1Bias, fc2Weight, fc2Bias),
                withFloat(data, 66, Float.NEGATIVE_INFINITY)));
        byte[] halves = new byte[data.length / 2];
        ByteBuffer.wrap(halves).order(ByteOrder.LITTLE_ENDIAN).putShort(14, (short) 0x7E00);
        model("half-precision-nan", file(header(entry("fc1.weight", "F16", "[4,12]", 0, 96),
                entry("fc1.bias", "F16", "[4]", 96, 104), entry("fc2.weight", "F16", "[3,4]", 104, 128),
                entry("fc2.bias", "F16", "[3]", 128, 134)), halves));

        byte[] random = new byte[512];
        new Random(42).nextBytes(random);
        model("random-bytes", random);
        model("zip-archive", "PK\u0003\u0004 this is a DL4J zip, not safetensors".getBytes(StandardCharsets.ISO_8859_1));
    }

    private void writeDatasets() {
        byte[] images = images(IMAGES_MAGIC, TINY_COUNT, TINY_ROWS, TINY_COLUMNS, pixels(TINY_COUNT * TINY_ROWS * TINY_COLUMNS));
        byte[] labels = labels(LABELS_MAGIC, TINY_COUNT, cyclicLabels(TINY_COUNT, 3));

        dataset("tiny", "images-idx3-ubyte", images, "labels-idx1-ubyte", labels);

        dataset("idx-images-bad-magic", "images", images(0x0A0B, TINY_COUNT, TINY_ROWS, TINY_COLUMNS,
                pixels(TINY_COUNT * TINY_ROWS * TINY_COLUMNS)), "labels", labels);
        dataset("idx-images-little-endian", "images", littleEndianMagic(images), "labels", labels);
        dataset("idx-images-two-dimensions", "images", ByteBuffer.allocate(12 + TINY_COUNT * TINY_ROWS)
                .putInt(0x0802).putInt(TINY_COUNT).putInt(TINY_ROWS).put(pixels(TINY_COUNT * TINY_ROWS)).array(),
                "labels", labels);
        dataset("idx-labels-float-type", "images", images, "labels", labels(0x0D01, TINY_COUNT, new byte[TINY_COUNT * 4]));
        dataset("idx-labels-missing", "images", images, null, null);
        dataset("idx-images-empty-file", "images", new byte[0], "labels", labels);
        dataset("idx-images-gzip-of-nothing", "images.gz", gzip(new byte[0]), "labels", labels);
        dataset("idx-images-header-cut", "images", Arrays.copyOf(images, 10), "labels", labels);
        dataset("idx-images-truncated-data", "images", Arrays.copyOf(images, images.length - 5), "labels", labels);
        dataset("idx-images-trailing-bytes", "images", Arrays.copyOf(images, images.length + 3), "labels", labels);
        dataset("idx-labels-truncated-data", "images", images, "labels", Arrays.copyOf(labels, labels.length - 1));
        dataset("idx-images-zero-rows", "images", images(IMAGES_MAGIC, TINY_COUNT, 0, TINY_COLUMNS, new byte[0]),
                "labels", labels);
        dataset("idx-images-zero-count", "images", images(IMAGES_MAGIC, 0, TINY_ROWS, TINY_COLUMNS, new byte[0]),
                "labels", labels(LABELS_MAGIC, 0, new byte[0]));
        dataset("idx-images-negative-columns", "images", images(IMAGES_MAGIC, TINY_COUNT, TINY_ROWS, -4, new byte[0]),
                "labels", labels);
        dataset("idx-images-above-array-limit", "images", images(IMAGES_MAGIC, 100_000, 1000, 1000, new byte[0]),
                "labels", labels);
        dataset("idx-count-mismatch", "images", images, "labels", labels(LABELS_MAGIC, TINY_COUNT - 1,
                cyclicLabels(TINY_COUNT - 1, 3)));
        dataset("idx-labels-single-class", "images", images, "labels", labels(LABELS_MAGIC, TINY_COUNT, new byte[TINY_COUNT]));
        dataset("idx-two-images-files", "images-a", images, "labels", labels);
        write("datasets/idx-two-images-files/images-b", images);

        byte[] gzipped = gzip(images);
        dataset("idx-gzip-truncated", "images.gz", Arrays.copyOf(gzipped, gzipped.length / 2), "labels", labels);
        byte[] badTrailer = gzipped.clone();
        // The last 8 bytes of a gzip stream are the CRC-32 and the length of the uncompressed data.
        badTrailer[badTrailer.length - 8] ^= (byte) 0xFF;
        dataset("idx-gzip-bad-checksum", "images.gz", badTrailer, "labels", labels);
        byte[] notDeflate = gzipped.clone();
        Arrays.fill(notDeflate, 10, notDeflate.length - 8, (byte) 0xFF);
        dataset("idx-gzip-corrupt-stream", "images.gz", notDeflate, "labels", labels);
        dataset("idx-bad-folder name", "images", images, "labels", labels);
    }

    private void writeBinaryBodies() {
        String tinySpec = "{\"dataset\":{\"trainSize\":100},\"training\":{\"maxEpochs\":1},"
                + "\"groups\":[{\"key\":\"g\",\"hiddenLayers\":[8]}],\"runsPerGroup\":1,"
                + "\"flatness\":{\"epsilons\":[0.1],\"directions\":1}";
        write("experiments/utf8-invalid-start-byte.bin", concat(bytes("{\"dataset\":{\"name\":\""),
                new byte[] {(byte) 0xff, (byte) 0xfe}, bytes("\"}}")));
        write("experiments/utf8-overlong-slash.bin", concat(bytes("{\"dataset\":{\"name\":\""),
                new byte[] {(byte) 0xc0, (byte) 0xaf}, bytes("\"}}")));
        write("experiments/utf8-encoded-surrogate.bin", concat(bytes("{\"groups\":[{\"key\":\"g"),
                new byte[] {(byte) 0xed, (byte) 0xa0, (byte) 0x80}, bytes("\",\"hiddenLayers\":[8]}]}")));
        write("experiments/utf8-cut-sequence.bin", concat(bytes("{\"dataset\":{\"name\":\""),
                new byte[] {(byte) 0xe2, (byte) 0x82}, bytes("\"}}")));
        write("experiments/latin1-encoded.bin", "{\"dataset\":{\"name\":\"caf\u00e9\"}}".getBytes(StandardCharsets.ISO_8859_1));
        write("experiments/nul-byte-in-key.bin", bytes("{\"runs\u0000PerGroup\":1}"));
        write("experiments/nul-byte-after-object.bin", bytes(tinySpec + "}\u0000"));
        write("experiments/bom-then-invalid-value.bin", concat(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF},
                bytes("{\"runsPerGroup\":0}")));
        write("experiments/utf16-without-charset.bin", "{\"runsPerGroup\":0}".getBytes(StandardCharsets.UTF_16LE));
        byte[] random = new byte[256];
        new Random(7).nextBytes(random);
        write("experiments/random-bytes.bin", random);
    }

    private void model(String name, byte[] content) {
        write("models/" + name + ".safetensors", content);
    }

    private void model(String name, String header, byte[] data) {
        model(name, file(header, data));
    }

    private void dataset(String name, String imagesName, byte[] images, String labelsName, byte[] labels) {
        write("datasets/" + name + "/" + imagesName, images);
        if (labelsName != null) {
            write("datasets/" + name + "/" + labelsName, labels);
        }
    }

    private void write(String relative, byte[] content) {
        Path file = root.resolve(relative);
        try {
            Files.createDirectories(file.getParent());
            Files.write(file, content);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    private static String entry(String name, String dtype, String shape, long begin, long end) {
        return "\"" + name + "\":{\"dtype\":\"" + dtype + "\",\"shape\":" + shape + ",\"data_offsets\":[" + begin + ","
                + end + "]}";
    }

    private static String header(String... entries) {
        return "{" + String.join(",", entries) + "}";
    }

    private static byte[] file(String header, byte[] data) {
        return fileBytes(bytes(header), data);
    }

    private static byte[] fileBytes(byte[] header, byte[] data) {
        return ByteBuffer.allocate(8 + header.length + data.length).order(ByteOrder.LITTLE_ENDIAN)
                .putLong(header.length).put(header).put(data).array();
    }

    private static byte[] withLength(long declared, byte[] rest) {
        return ByteBuffer.allocate(8 + rest.length).order(ByteOrder.LITTLE_ENDIAN).putLong(declared).put(rest).array();
    }

    /** Returns {@code count} little-endian float32 values between -0.5 and 0.5 from a fixed pattern. */
    private static byte[] weights(int count) {
        ByteBuffer buffer = ByteBuffer.allocate(count * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < count; i++) {
            buffer.putFloat((i % 11) / 10.0f - 0.5f);
        }
        return buffer.array();
    }

    private static byte[] withFloat(byte[] data, int index, float value) {
        byte[] copy = data.clone();
        ByteBuffer.wrap(copy).order(ByteOrder.LITTLE_ENDIAN).putFloat(index * 4, value);
        return copy;
    }

    private static byte[] images(int magic, int count, int rows, int columns, byte[] pixels) {
        return ByteBuffer.allocate(16 + pixels.length).putInt(magic).putInt(count).putInt(rows).putInt(columns)
                .put(pixels).array();
    }

    private static byte[] labels(int magic, int count, byte[] values) {
        return ByteBuffer.allocate(8 + values.length).putInt(magic).putInt(count).put(values).array();
    }

    private static byte[] pixels(int count) {
        byte[] pixels = new byte[count];
        for (int i = 0; i < count; i++) {
            pixels[i] = (byte) (i * 37);
        }
        return pixels;
    }

    private static byte[] cyclicLabels(int count, int classes) {
        byte[] values = new byte[count];
        for (int i = 0; i < count; i++) {
            values[i] = (byte) (i % classes);
        }
        return values;
    }

    private static byte[] littleEndianMagic(byte[] images) {
        byte[] copy = images.clone();
        ByteBuffer.wrap(copy).order(ByteOrder.LITTLE_ENDIAN).putInt(0, IMAGES_MAGIC);
        return copy;
    }

    private static byte[] gzip(byte[] content) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
            gzip.write(content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }
}
