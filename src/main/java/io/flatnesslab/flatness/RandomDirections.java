package io.flatnesslab.flatness;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.random.impl.GaussianDistribution;
import org.nd4j.linalg.api.rng.Random;
import org.nd4j.linalg.factory.Nd4j;

/** Sampler of random directions of unit L2 norm in parameter space. */
public final class RandomDirections {

    private RandomDirections() {
    }

    /**
     * Fills {@code direction} with d = g / ||g||_2 where g ~ N(0, I), drawn by ND4J's native
     * generator from {@code seed}. The same seed gives the same direction on the same machine.
     *
     * @return the norm ||g||_2 before normalization
     */
    public static double sampleUnit(INDArray direction, long seed) {
        fillGaussian(direction, seed);

        double norm = norm2(direction);
        direction.divi(norm);
        return norm;
    }

    /**
     * Fills {@code into} with z ~ N(0, I) drawn by ND4J's native generator from {@code seed}, in
     * float32 and cast when {@code into} is of another type, so that float32 and float64 vectors
     * drawn from one seed hold the same values.
     */
    public static void fillGaussian(INDArray into, long seed) {
        if (into.dataType() == DataType.FLOAT) {
            drawGaussian(into, seed);
            return;
        }

        try (INDArray sample = Nd4j.createUninitialized(DataType.FLOAT, into.shape())) {
            drawGaussian(sample, seed);
            into.assign(sample);
        }
    }

    private static void drawGaussian(INDArray into, long seed) {
        Random random = Nd4j.getRandomFactory().getNewRandomInstance(seed);
        try {
            Nd4j.getExecutioner().exec(new GaussianDistribution(into, 0.0, 1.0), random);
        } finally {
            try {
                random.close();
            } catch (Exception e) {
                throw new IllegalStateException("cannot release the native random generator", e);
            }
        }
    }

    /**
     * Returns ||vector||₂ with the squares summed in float64. ND4J 1.0.0-M2.1 sums a float32 norm2
     * in float32, which read the norm of 30 M Gaussian values 1.3 % low (and of 4 M values 0.07 %
     * low, 2 threads on an x86 machine with AVX-512). So a "unit" direction of the
     * 784-5000-5000-10 network had length 1.013.
     */
    public static double norm2(INDArray vector) {
        return ParameterVectors.norm(vector);
    }
}
