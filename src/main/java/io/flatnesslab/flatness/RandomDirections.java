package io.flatnesslab.flatness;

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
        Random random = Nd4j.getRandomFactory().getNewRandomInstance(seed);
        try {
            Nd4j.getExecutioner().exec(new GaussianDistribution(direction, 0.0, 1.0), random);
        } finally {
            try {
                random.close();
            } catch (Exception e) {
                throw new IllegalStateException("cannot release the native random generator", e);
            }
        }

        double norm = direction.norm2Number().doubleValue();
        direction.divi(norm);
        return norm;
    }
}
