package io.flatnesslab.flatness;

import java.util.Arrays;
import java.util.SplittableRandom;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Operations on parameter-sized vectors that need more care than ND4J's defaults: dot products
 * and norms accumulated in double also for float32 vectors, in-place updates without
 * parameter-sized temporaries, and seeded Rademacher vectors that are the same in both precisions.
 *
 * <p>Float32 vectors are processed in chunks of {@value #CHUNK} elements, each cast to float64,
 * so a dot product of 30 M elements allocates 8 MB at a time instead of a float64 copy.
 */
final class ParameterVectors {

    static final int CHUNK = 1 << 20;

    /** Elements per float[] block written into a Rademacher vector. */
    private static final int SIGN_BLOCK = 1 << 16;

    private ParameterVectors() {
    }

    /** Computes aᵀb, summed in double. */
    static double dot(INDArray a, INDArray b) {
        if (a.dataType() == DataType.DOUBLE && b.dataType() == DataType.DOUBLE) {
            return Nd4j.getBlasWrapper().dot(a, b);
        }
        long length = a.length();
        double sum = 0;
        for (long from = 0; from < length; from += CHUNK) {
            long to = Math.min(length, from + CHUNK);
            try (INDArray x = ParameterLayout.range(a, from, to).castTo(DataType.DOUBLE);
                    INDArray y = ParameterLayout.range(b, from, to).castTo(DataType.DOUBLE)) {
                sum += Nd4j.getBlasWrapper().dot(x, y);
            }
        }
        return sum;
    }

    /** Computes ||a||₂, summed in double. */
    static double norm(INDArray a) {
        return Math.sqrt(dot(a, a));
    }

    /** Performs y ← y + alpha·x in place (BLAS axpy, in the vectors' type). */
    static void axpy(double alpha, INDArray x, INDArray y) {
        Nd4j.getBlasWrapper().level1().axpy(x.length(), alpha, x, y);
    }

    /**
     * Fills {@code vector} with independent signs ±1/√N, a Rademacher vector of unit length. The
     * signs come from {@link SplittableRandom} seeded with {@code seed}, so the draw is the same on
     * every machine and in both precisions.
     */
    static void fillUnitRademacher(INDArray vector, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        long length = vector.length();
        float[] block = new float[SIGN_BLOCK];
        long bits = 0;
        int bitsLeft = 0;
        for (long from = 0; from < length; from += SIGN_BLOCK) {
            int size = (int) Math.min(SIGN_BLOCK, length - from);
            for (int i = 0; i < size; i++) {
                if (bitsLeft == 0) {
                    bits = random.nextLong();
                    bitsLeft = Long.SIZE;
                }
                block[i] = (bits & 1) == 0 ? 1f : -1f;
                bits >>>= 1;
                bitsLeft--;
            }
            try (INDArray signs = Nd4j.createFromArray(size == SIGN_BLOCK ? block : Arrays.copyOf(block, size))) {
                ParameterLayout.range(vector, from, from + size).assign(signs);
            }
        }
        vector.muli(1 / Math.sqrt(length));
    }
}
