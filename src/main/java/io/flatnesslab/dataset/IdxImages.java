package io.flatnesslab.dataset;

/**
 * Contents of an IDX images file: {@code count} images of {@code rows x columns} unsigned-byte
 * pixels, stored image after image in row-major order.
 */
public record IdxImages(int count, int rows, int columns, byte[] pixels) {
}
