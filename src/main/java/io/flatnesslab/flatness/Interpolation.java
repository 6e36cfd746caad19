package io.flatnesslab.flatness;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Measurer of the loss on the straight line between two parameter vectors θ_a and θ_b of the
 * same architecture, and of the barrier on it:
 * <pre>
 *   θ(t)    = (1 − t)·θ_a + t·θ_b
 *   L_a     = L(θ_a),  L_b = L(θ_b)
 *   barrier = max over t in T ∪ {0, 1} with 0 ≤ t ≤ 1 of  L(θ(t)) − (L_a + L_b)/2
 * </pre>
 * T is the grid of t values, which may also extend beyond [0, 1]. The barrier is measured
 * against the mean of the endpoint losses, not against the straight line between them.
 * Because the endpoints are included, barrier ≥ |L_a − L_b|/2 ≥ 0, so two minima of different
 * loss have a positive barrier even when the loss is monotone along the line.
 *
 * <p>θ(t) is computed so that t = 0 gives exactly θ_a and t = 1 exactly θ_b, so a grid that
 * contains 0.0 and 1.0 supplies L_a and L_b without further evaluations.
 *
 * <p>Cost: |T| loss evaluations, plus 1 for L_a when T lacks 0.0 and 1 for L_b when T lacks
 * 1.0, and no gradient evaluations. Memory: 1 parameter-sized vector beyond θ_a and θ_b.
 */
public final class Interpolation {

    private Interpolation() {
    }

    /**
     * Losses and accuracies along the line from θ_a to θ_b.
     *
     * @param t the grid T
     * @param loss L(θ(t[i])) at index i
     * @param accuracy accuracy at the same points
     * @param barrier max of L(θ(t)) − (lossA + lossB)/2 over t = 0, t = 1 and the grid points in
     *     [0, 1]
     * @param barrierT the t where the barrier is reached, the first in the order t = 0, the grid
     *     in its order, t = 1 when several reach it
     * @param lossA L(θ_a)
     * @param lossB L(θ_b)
     */
    public record InterpolationResult(double[] t, double[] loss, double[] accuracy, double barrier, double barrierT,
            double lossA, double lossB) {
    }

    /** Returns the number of loss evaluations {@link #measure} makes for the grid {@code t}. */
    public static long plannedLossEvaluations(double[] t) {
        long evaluations = t.length;
        if (!contains(t, 0.0)) {
            evaluations++;
        }
        if (!contains(t, 1.0)) {
            evaluations++;
        }
        return evaluations;
    }

    /**
     * Evaluates the loss and accuracy at θ(t) for each t in {@code t}, with θ_a the origin of
     * {@code landscapeAtA}, and the barrier between θ_a and {@code thetaB}.
     *
     * @param thetaB parameters of the same architecture, of any floating-point type; not modified
     */
    public static InterpolationResult measure(LossLandscape landscapeAtA, INDArray thetaB, double[] t) {
        INDArray thetaA = landscapeAtA.origin();
        if (thetaB.length() != thetaA.length()) {
            throw new IllegalArgumentException("thetaB has " + thetaB.length() + " parameters but theta_a, the origin"
                    + " of the landscape, has " + thetaA.length() + "; both must come from the same architecture");
        }

        double[] loss = new double[t.length];
        double[] accuracy = new double[t.length];
        double lossA = Double.NaN;
        double lossB = Double.NaN;
        INDArray endB = thetaB.reshape(thetaA.shape());
        INDArray theta = landscapeAtA.newVector();
        try {
            for (int i = 0; i < t.length; i++) {
                interpolate(theta, thetaA, endB, t[i]);
                LossAccuracy at = landscapeAtA.evaluate(theta);
                loss[i] = at.loss();
                accuracy[i] = at.accuracy();
                if (t[i] == 0.0) {
                    lossA = at.loss();
                }
                if (t[i] == 1.0) {
                    lossB = at.loss();
                }
            }

            if (!contains(t, 0.0)) {
                lossA = landscapeAtA.evaluate(thetaA).loss();
            }
            if (!contains(t, 1.0)) {
                theta.assign(endB);
                lossB = landscapeAtA.evaluate(theta).loss();
            }
        } finally {
            landscapeAtA.restore();
            theta.close();
        }

        return withBarrier(t.clone(), loss, accuracy, lossA, lossB);
    }

    /**
     * Writes (1 − t)·θ_a + t·θ_b into {@code theta}. Multiplying θ_b by t and adding (1 − t)·θ_a
     * in place needs no second temporary, and is exact at t = 0 and t = 1.
     */
    private static void interpolate(INDArray theta, INDArray thetaA, INDArray thetaB, double t) {
        theta.assign(thetaB).muli(t);
        Nd4j.getBlasWrapper().level1().axpy(theta.length(), 1 - t, thetaA, theta);
    }

    private static InterpolationResult withBarrier(double[] t, double[] loss, double[] accuracy, double lossA,
            double lossB) {
        double mean = (lossA + lossB) / 2;
        double barrier = lossA - mean;
        double barrierT = 0.0;
        for (int i = 0; i < t.length; i++) {
            if (t[i] >= 0 && t[i] <= 1 && loss[i] - mean > barrier) {
                barrier = loss[i] - mean;
                barrierT = t[i];
            }
        }
        if (lossB - mean > barrier) {
            barrier = lossB - mean;
            barrierT = 1.0;
        }
        return new InterpolationResult(t, loss, accuracy, barrier, barrierT, lossA, lossB);
    }

    private static boolean contains(double[] values, double value) {
        for (double v : values) {
            if (v == value) {
                return true;
            }
        }
        return false;
    }
}
