package io.flatnesslab.flatness;

import java.util.Arrays;
import java.util.List;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

/**
 * Projected gradient ascent of the minibatch loss over a bounded set of perturbations, shared by
 * the worst-case and the ε-sharpness measures. A subclass keeps its iterate in {@link #position}
 * (coordinates in which the feasible set is simple), maps it to parameters θ and takes the step.
 *
 * <p>Each iterate costs one gradient evaluation, whose loss is also the iterate's loss, so every
 * restart of T steps costs T + 1 gradient evaluations (the last gradient is unused). Restart 0
 * must start at θ₀: its first loss is the baseline L_B(θ₀), computed by the same code path as
 * every other loss, so the reported increase is never negative.
 *
 * <p>Holds three parameter-sized vectors (position, θ, gradient), a fourth when the best
 * parameters are kept.
 */
abstract class ProjectedAscent implements AutoCloseable {

    /**
     * Results over the minibatches.
     *
     * @param increases max over the iterates of L_B(θ) − L_B(θ₀), by minibatch
     * @param baselines L_B(θ₀), by minibatch
     */
    record Maxima(double[] increases, double[] baselines) {
    }

    final LossLandscape landscape;

    final INDArray position;

    final INDArray theta;

    final INDArray gradient;

    private final INDArray bestTheta;

    /**
     * Allocates the iterate vectors.
     *
     * @param bestTheta receives the parameters of the highest loss found on the last minibatch,
     *     or null to keep nothing
     */
    ProjectedAscent(LossLandscape landscape, INDArray bestTheta) {
        this.landscape = landscape;
        this.position = landscape.newVector();
        this.theta = landscape.newVector();
        this.gradient = landscape.newVector();
        this.bestTheta = bestTheta;
    }

    /** Sets {@link #position} to the start of {@code restart} on minibatch {@code batch}. */
    abstract void start(int restart, int batch);

    /** Writes the parameters of {@link #position} into {@link #theta}. */
    abstract void writeParameters();

    /**
     * Moves {@link #position} along {@link #gradient}, the gradient of the loss with respect to
     * θ at the current iterate. It may overwrite {@link #gradient} and {@link #theta}.
     */
    abstract void step();

    /** Runs {@code restarts} ascents of {@code iterations} steps on each minibatch. */
    Maxima maximize(Minibatches minibatches, int restarts, int iterations) {
        double[] increases = new double[minibatches.count()];
        double[] baselines = new double[minibatches.count()];
        for (int b = 0; b < minibatches.count(); b++) {
            DataSet batch = minibatches.batch(b);
            try {
                double[] maxAndBaseline = maximizeOnBatch(batch, b, restarts, iterations);
                increases[b] = maxAndBaseline[0] - maxAndBaseline[1];
                baselines[b] = maxAndBaseline[1];
            } finally {
                minibatches.release(batch);
            }
        }
        return new Maxima(increases, baselines);
    }

    private double[] maximizeOnBatch(DataSet batch, int b, int restarts, int iterations) {
        double baseline = Double.NaN;
        double max = Double.NEGATIVE_INFINITY;
        for (int restart = 0; restart < restarts; restart++) {
            start(restart, b);
            for (int t = 0; t <= iterations; t++) {
                writeParameters();
                double loss = landscape.gradient(theta, batch, gradient);

                if (restart == 0 && t == 0) {
                    baseline = loss;
                }
                if (loss > max) {
                    max = loss;
                    if (bestTheta != null) {
                        bestTheta.assign(theta);
                    }
                }

                if (t < iterations) {
                    step();
                }
            }
        }
        return new double[] {max, baseline};
    }

    /** Returns {@code values} as an unmodifiable list for a result record. */
    static List<Double> boxed(double[] values) {
        return Arrays.stream(values).boxed().toList();
    }

    @Override
    public void close() {
        position.close();
        theta.close();
        gradient.close();
    }
}
