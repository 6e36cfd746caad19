package io.flatnesslab.job;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Random choices about the training data that all groups of an experiment share.
 *
 * <p>The subset is a uniform sample without replacement (a partial Fisher-Yates shuffle),
 * listed in ascending index order. Random labels are uniform over the classes, one per subset
 * example, in the order of the subset.
 */
final class TrainingSubset {

    private TrainingSubset() {
    }

    static int[] sample(int datasetSize, int subsetSize, long seed) {
        int[] pool = new int[datasetSize];
        for (int i = 0; i < datasetSize; i++) {
            pool[i] = i;
        }
        return firstOfShuffle(pool, subsetSize, seed);
    }

    /**
     * Samples {@code size} indices uniformly without replacement from those not in
     * {@code excluded}, listed in ascending order.
     */
    static int[] sampleExcluding(int datasetSize, int[] excluded, int size, long seed) {
        boolean[] isExcluded = new boolean[datasetSize];
        for (int index : excluded) {
            isExcluded[index] = true;
        }
        int[] pool = new int[datasetSize - excluded.length];
        int next = 0;
        for (int i = 0; i < datasetSize; i++) {
            if (!isExcluded[i]) {
                pool[next++] = i;
            }
        }
        return firstOfShuffle(pool, size, seed);
    }

    /** Shuffles the first {@code size} places of {@code pool} (partial Fisher-Yates) and returns them sorted. */
    private static int[] firstOfShuffle(int[] pool, int size, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < size; i++) {
            int j = i + random.nextInt(pool.length - i);
            int swap = pool[i];
            pool[i] = pool[j];
            pool[j] = swap;
        }
        int[] sample = Arrays.copyOf(pool, size);
        Arrays.sort(sample);
        return sample;
    }

    static int[] randomLabels(int count, int classCount, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int[] labels = new int[count];
        for (int i = 0; i < count; i++) {
            labels[i] = random.nextInt(classCount);
        }
        return labels;
    }
}
