package io.flatnesslab.dataset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

import org.junit.jupiter.api.Test;
import org.springframework.core.io.ClassPathResource;

class IdxReaderTests {

    private static final String IMAGES = "datasets/mnist-10k/images-idx3-ubyte.gz";

    private static final String LABELS = "datasets/mnist-10k/labels-idx1-ubyte.gz";

    @Test
    void embeddedImagesAreTenThousandDigits() throws IOException {
        IdxImages images;
        try (InputStream in = new ClassPathResource(IMAGES).getInputStream()) {
            images = IdxReader.readImages(in, IMAGES);
        }

        assertThat(images.count()).isEqualTo(10_000);
        assertThat(images.rows()).isEqualTo(28);
        assertThat(images.columns()).isEqualTo(28);
        assertThat(images.pixels()).hasSize(10_000 * 28 * 28);

        // Real digits have a dark background and bright strokes.
        long zeros = 0;
        boolean anyFull = false;
        for (byte pixel : images.pixels()) {
            zeros += pixel == 0 ? 1 : 0;
            anyFull |= Byte.toUnsignedInt(pixel) == 255;
        }
        assertThat(zeros).isGreaterThan(images.pixels().length / 2);
        assertThat(anyFull).isTrue();
    }

    @Test
    void embeddedLabelsCoverTenClasses() throws IOException {
        byte[] labels;
        try (InputStream in = new ClassPathResource(LABELS).getInputStream()) {
            labels = IdxReader.readLabels(in, LABELS);
        }

        int[] counts = new int[256];
        for (byte label : labels) {
            counts[Byte.toUnsignedInt(label)]++;
        }
        assertThat(labels).hasSize(10_000);
        assertThat(Arrays.stream(counts, 0, 10).boxed().toList()).allSatisfy(count -> assertThat(count).isBetween(700, 1300));
        assertThat(Arrays.stream(counts, 10, 256).sum()).isZero();
    }

    @Test
    void plainAndGzippedFilesReadTheSame() throws IOException {
        byte[] plain = IdxTestFiles.patternedImages(3, 4, 5);

        IdxImages fromPlain = IdxReader.readImages(new ByteArrayInputStream(plain), "plain");
        IdxImages fromGzip = IdxReader.readImages(new ByteArrayInputStream(IdxTestFiles.gzip(plain)), "gzipped");

        assertThat(fromPlain.count()).isEqualTo(3);
        assertThat(fromPlain.rows()).isEqualTo(4);
        assertThat(fromPlain.columns()).isEqualTo(5);
        assertThat(fromGzip.pixels()).isEqualTo(fromPlain.pixels());
        assertThat(fromPlain.pixels()).isEqualTo(Arrays.copyOfRange(plain, 16, plain.length));
    }

    @Test
    void labelsFileAsImagesIsRejected() {
        byte[] labels = IdxTestFiles.cyclicLabels(10, 10);

        assertThatThrownBy(() -> IdxReader.readImages(new ByteArrayInputStream(labels), "/tmp/labels.idx"))
                .isInstanceOf(IdxFormatException.class)
                .hasMessageContaining("/tmp/labels.idx")
                .hasMessageContaining("invalid magic number 2049")
                .hasMessageContaining("this is a labels file")
                .hasMessageContaining("expected 2051");
    }

    @Test
    void arbitraryMagicIsRejected() {
        byte[] bytes = {0x12, 0x34, 0x56, 0x78, 0, 0, 0, 1, 5};

        assertThatThrownBy(() -> IdxReader.readLabels(new ByteArrayInputStream(bytes), "junk.bin"))
                .isInstanceOf(IdxFormatException.class)
                .hasMessageContaining("junk.bin")
                .hasMessageContaining("invalid magic number 305419896");
    }

    @Test
    void truncatedImageDataIsRejected() {
        byte[] complete = IdxTestFiles.patternedImages(4, 3, 3);
        byte[] truncated = Arrays.copyOf(complete, complete.length - 5);

        assertThatThrownBy(() -> IdxReader.readImages(new ByteArrayInputStream(truncated), "cut-images.gz"))
                .isInstanceOf(IdxFormatException.class)
                .hasMessageContaining("cut-images.gz")
                .hasMessageContaining("truncated data")
                .hasMessageContaining("36 bytes")
                .hasMessageContaining("only 31 bytes follow");
    }

    @Test
    void truncatedGzipStreamIsRejected() {
        byte[] gzipped = IdxTestFiles.gzip(IdxTestFiles.patternedImages(50, 8, 8));
        byte[] truncated = Arrays.copyOf(gzipped, gzipped.length / 2);

        assertThatThrownBy(() -> IdxReader.readImages(new ByteArrayInputStream(truncated), "half.gz"))
                .isInstanceOf(IdxFormatException.class)
                .hasMessageContaining("half.gz");
    }

    @Test
    void truncatedHeaderIsRejected() {
        byte[] header = Arrays.copyOf(IdxTestFiles.patternedImages(1, 2, 2), 10);

        assertThatThrownBy(() -> IdxReader.readImages(new ByteArrayInputStream(header), "short.idx"))
                .isInstanceOf(IdxFormatException.class)
                .hasMessageContaining("short.idx")
                .hasMessageContaining("header");
    }

    @Test
    void trailingBytesAreRejected() {
        byte[] labels = IdxTestFiles.cyclicLabels(5, 3);
        byte[] longer = Arrays.copyOf(labels, labels.length + 2);

        assertThatThrownBy(() -> IdxReader.readLabels(new ByteArrayInputStream(longer), "long-labels"))
                .isInstanceOf(IdxFormatException.class)
                .hasMessageContaining("long-labels")
                .hasMessageContaining("unexpected bytes after the 5 data bytes");
    }

    @Test
    void zeroDimensionIsRejected() {
        byte[] empty = IdxTestFiles.images(0, 28, 28, new byte[0]);

        assertThatThrownBy(() -> IdxReader.readImages(new ByteArrayInputStream(empty), "empty.idx"))
                .isInstanceOf(IdxFormatException.class)
                .hasMessageContaining("empty.idx")
                .hasMessageContaining("invalid image count 0");
    }

    @Test
    void oversizedDeclarationIsRejectedBeforeAllocating() {
        byte[] huge = IdxTestFiles.images(100_000_000, 28, 28, new byte[0]);

        assertThatThrownBy(() -> IdxReader.readImages(new ByteArrayInputStream(huge), "huge.idx"))
                .isInstanceOf(IdxFormatException.class)
                .hasMessageContaining("huge.idx")
                .hasMessageContaining("2 GiB");
    }
}
