package io.flatnesslab.dataset;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * Reader of IDX files as published by LeCun et al. for MNIST and reused by Fashion-MNIST and
 * KMNIST.
 *
 * <p>An IDX file starts with a 4-byte big-endian magic number: two zero bytes, a type byte
 * ({@code 0x08} = unsigned byte) and the number of dimensions. Each dimension follows as a
 * big-endian 32-bit size, then the data in row-major order. Images use magic 2051 (three
 * dimensions: count, rows, columns), labels magic 2049 (one dimension: count). Files may be
 * gzip-compressed; the reader detects that from the gzip signature, not from the file name.
 */
public final class IdxReader {

    /** Magic number of an unsigned-byte IDX file with three dimensions (images). */
    public static final int IMAGES_MAGIC = 2051;

    /** Magic number of an unsigned-byte IDX file with one dimension (labels). */
    public static final int LABELS_MAGIC = 2049;

    private static final int GZIP_SIGNATURE = 0x1f8b;

    private IdxReader() {
    }

    /**
     * Reads the magic number of a file, or returns -1 when the file is shorter than 4 bytes.
     *
     * @throws IdxFormatException when the file starts with the gzip signature but its compressed
     *     data is corrupt, so that the folder is reported with that reason rather than as lacking
     *     an IDX file
     */
    public static int readMagic(Path file) throws IOException {
        try (DataInputStream in = open(Files.newInputStream(file))) {
            return in.readInt();
        } catch (EOFException e) {
            return -1;
        } catch (java.util.zip.ZipException e) {
            throw new IdxFormatException(file.toString(), "invalid gzip data: " + e.getMessage(), e);
        }
    }

    /** Reads an images file from disk. */
    public static IdxImages readImages(Path file) throws IOException {
        try (InputStream raw = Files.newInputStream(file)) {
            return readImages(raw, file.toString());
        }
    }

    /** Reads a labels file from disk. */
    public static byte[] readLabels(Path file) throws IOException {
        try (InputStream raw = Files.newInputStream(file)) {
            return readLabels(raw, file.toString());
        }
    }

    /**
     * Reads an images file (magic 2051).
     *
     * @param source name of the file, used in error messages
     * @throws IdxFormatException when the magic is wrong, a dimension is not positive, the data
     *     is truncated or bytes follow the data
     */
    public static IdxImages readImages(InputStream raw, String source) throws IOException {
        try (DataInputStream in = open(raw)) {
            int magic = readHeaderInt(in, source, "magic number");
            checkMagic(magic, IMAGES_MAGIC, "images", source);

            int count = readDimension(in, source, "image count");
            int rows = readDimension(in, source, "row count");
            int columns = readDimension(in, source, "column count");
            long total = (long) count * rows * columns;
            if (total > Integer.MAX_VALUE - 8) {
                throw new IdxFormatException(source, "declares " + count + " images of " + rows + "x"
                        + columns + " pixels, more than the 2 GiB a Java array holds");
            }

            byte[] pixels = readData(in, (int) total, source, count + " images of " + rows + "x" + columns);
            return new IdxImages(count, rows, columns, pixels);
        } catch (java.util.zip.ZipException e) {
            throw new IdxFormatException(source, "invalid gzip data: " + e.getMessage(), e);
        }
    }

    /**
     * Reads a labels file (magic 2049).
     *
     * @param source name of the file, used in error messages
     * @throws IdxFormatException when the magic is wrong, the count is not positive, the data is
     *     truncated or bytes follow the data
     */
    public static byte[] readLabels(InputStream raw, String source) throws IOException {
        try (DataInputStream in = open(raw)) {
            int magic = readHeaderInt(in, source, "magic number");
            checkMagic(magic, LABELS_MAGIC, "labels", source);

            int count = readDimension(in, source, "label count");
            return readData(in, count, source, count + " labels");
        } catch (java.util.zip.ZipException e) {
            throw new IdxFormatException(source, "invalid gzip data: " + e.getMessage(), e);
        }
    }

    private static DataInputStream open(InputStream raw) throws IOException {
        BufferedInputStream buffered = new BufferedInputStream(raw, 1 << 16);
        buffered.mark(2);
        int first = buffered.read();
        int second = buffered.read();
        buffered.reset();

        boolean gzipped = first >= 0 && second >= 0 && ((first << 8) | second) == GZIP_SIGNATURE;
        InputStream content = gzipped ? new BufferedInputStream(new GZIPInputStream(buffered, 1 << 16), 1 << 16) : buffered;
        return new DataInputStream(content);
    }

    private static void checkMagic(int actual, int expected, String kind, String source) {
        if (actual == expected) {
            return;
        }
        String hint = actual == IMAGES_MAGIC ? " (this is an images file)"
                : actual == LABELS_MAGIC ? " (this is a labels file)" : "";
        throw new IdxFormatException(source, "invalid magic number " + actual + hint + ", expected "
                + expected + " for an IDX " + kind + " file of unsigned bytes");
    }

    private static int readHeaderInt(DataInputStream in, String source, String field) throws IOException {
        try {
            return in.readInt();
        } catch (EOFException e) {
            throw new IdxFormatException(source, "file ends inside the header while reading the " + field, e);
        }
    }

    private static int readDimension(DataInputStream in, String source, String field) throws IOException {
        int value = readHeaderInt(in, source, field);
        if (value < 1) {
            throw new IdxFormatException(source, "invalid " + field + " " + value + ", expected a positive number");
        }
        return value;
    }

    private static byte[] readData(DataInputStream in, int length, String source, String contents) throws IOException {
        byte[] data = new byte[length];
        int read;
        try {
            read = in.readNBytes(data, 0, length);
        } catch (EOFException e) {
            // GZIPInputStream reports a cut-off compressed stream as EOFException.
            throw new IdxFormatException(source, "truncated data: the gzip stream ends before the " + length
                    + " data bytes the header declares (" + contents + ")", e);
        }
        if (read < length) {
            throw new IdxFormatException(source, "truncated data: the header declares " + contents + " (" + length
                    + " bytes) but only " + read + " bytes follow");
        }
        if (in.read() >= 0) {
            throw new IdxFormatException(source, "unexpected bytes after the " + length
                    + " data bytes the header declares (" + contents + ")");
        }
        return data;
    }
}
