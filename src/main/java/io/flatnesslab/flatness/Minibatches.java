package io.flatnesslab.flatness;

import java.util.SplittableRandom;

import org.nd4j.linalg.dataset.DataSet;

/**
 * Fixed minibatches B_1 … B_K of a measure. The n examples are permuted with a seeded draw,
 * and B_b contains the examples at positions [b·m, (b+1)·m), m being the batch size. So the
 * batches are disjoint and need K·m ≤ n. One batch of all n examples is the data themselves,
 * unpermuted.
 */
final class Minibatches {

    private final DataSet data;

    private final int count;

    private final int size;

    private final int[] order;

    private Minibatches(DataSet data, int count, int size, int[] order) {
        this.data = data;
        this.count = count;
        this.size = size;
        this.order = order;
    }

    /**
     * Draws the permutation of the examples of {@code data}.
     *
     * @throws IllegalArgumentException when {@code count·size} exceeds the number of examples
     */
    static Minibatches of(DataSet data, int count, int size, long seed) {
        int examples = data.numExamples();
        if ((long) count * size > examples) {
            throw new IllegalArgumentException("batches × batchSize = " + count + " × " + size
                    + " exceeds the " + examples + " examples; lower batches or batchSize");
        }
        boolean whole = count == 1 && size == examples;
        return new Minibatches(data, count, size, whole ? null : permutation(examples, seed));
    }

    int count() {
        return count;
    }

    /** Returns batch {@code b}: a copy of its rows, or the data themselves for one batch of all examples. */
    DataSet batch(int b) {
        if (order == null) {
            return data;
        }

        int[] rows = new int[size];
        System.arraycopy(order, b * size, rows, 0, size);
        return new DataSet(data.getFeatures().getRows(rows), data.getLabels().getRows(rows));
    }

    /** Frees batch {@code b} once it is no longer needed, unless it is the data themselves. */
    void release(DataSet batch) {
        if (batch != data) {
            batch.getFeatures().close();
            batch.getLabels().close();
        }
    }

    /** Fisher–Yates shuffle of 0 … n−1. */
    private static int[] permutation(int n, long seed) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }

        SplittableRandom random = new SplittableRandom(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int swapped = order[i];
            order[i] = order[j];
            order[j] = swapped;
        }
        return order;
    }
}
