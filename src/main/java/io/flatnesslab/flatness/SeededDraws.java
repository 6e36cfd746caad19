package io.flatnesslab.flatness;

import java.util.SplittableRandom;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Seeded random draws of the optimizing and sampling measures. Every draw depends only on its
 * own seed, so any restart, sample or minibatch can be recomputed alone.
 */
final class SeededDraws {

    private SeededDraws() {
    }

    /**
     * Derives the seed of draw {@code index} in stream {@code stream} from a measure's seed by
     * two rounds of SplittableRandom's 64-bit mixing, so that nearby seeds, streams and indices
     * give unrelated draws.
     */
    static long subSeed(long seed, long stream, long index) {
        long streamSeed = new SplittableRandom(seed ^ (stream * 0x9E3779B97F4A7C15L)).nextLong();
        return new SplittableRandom(streamSeed + index).nextLong();
    }

    /**
     * Fills {@code into} with independent N(0, 1) draws from ND4J's native generator. The draws
     * are made in float32 and cast when {@code into} is float64, so both precisions of a
     * landscape see the same numbers. The cast costs one temporary float32 vector.
     */
    static void fillStandardNormal(INDArray into, long seed) {
        RandomDirections.fillGaussian(into, seed);
    }
}
