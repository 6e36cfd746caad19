package io.flatnesslab.flatness;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Measurer of the ε-sharpness of Keskar et al. (2017, "On Large-Batch Training for Deep
 * Learning: Generalization Gap and Sharp Minima"), in the full parameter space: the largest
 * relative rise of the loss within a box around the trained parameters θ₀.
 *
 * <pre>
 *   C_ε    = { δ : |δ_i| ≤ ε·(|θ₀_i| + 1) for every i }
 *   φ(B)   = 100 · max over δ ∈ C_ε of [L_B(θ₀ + δ) − L_B(θ₀)] / (1 + L_B(θ₀))
 *   as     δ = w ⊙ c, w = ε·(|θ₀| + 1), c ∈ [−1, 1]^P
 *   ascent c ← clip(c + η·sign(∇L_B(θ₀ + w ⊙ c)), −1, 1), from c = 0
 *   φ      = mean of φ(B_b) over minibatches B_1 … B_K
 * </pre>
 * Keskar et al. solve the inner maximization with L-BFGS-B. Here T sign-gradient steps (the
 * steepest ascent for the box's L∞ geometry) replace it, keeping the highest loss over the
 * iterates, the start and end points included. The result is a lower bound of the true maximum,
 * and with η = 1 the first step already reaches the corner that maximizes the linearized loss.
 * L_B(θ₀) is the loss of the first iterate, so φ(B) ≥ 0. The minibatches are disjoint blocks of
 * a seeded permutation of the examples (see {@link Minibatches}); one batch of all examples
 * gives Keskar's full-data value.
 *
 * <p>Cost: K·(T + 1) gradient evaluations on {@code batchSize} examples each and no loss
 * evaluation, for K batches and T iterations. Memory: three parameter-sized vectors (c, θ,
 * gradient) besides the landscape's θ₀ and the network's own parameters and gradient, and a
 * copy of one minibatch. The network is back at θ₀ when this returns or throws.
 */
public final class KeskarSharpness {

    private static final Logger log = LoggerFactory.getLogger(KeskarSharpness.class);

    private static final int BATCH_STREAM = 0;

    private KeskarSharpness() {
    }

    /** Returns the gradient evaluations of {@link #measure}: batches·(iterations + 1). */
    public static long plannedGradientEvaluations(KeskarSettings settings) {
        return settings.batches() * (settings.iterations() + 1L);
    }

    /** Returns the loss evaluations of {@link #measure}: none, because the baseline comes from a gradient pass. */
    public static long plannedLossEvaluations(KeskarSettings settings) {
        return 0;
    }

    /**
     * Measures φ on each minibatch of the landscape's examples.
     *
     * @throws IllegalArgumentException when batches·batchSize exceeds the examples
     * @throws io.flatnesslab.training.TrainingCancelledException when the landscape's
     *     cancellation check returns true
     */
    public static KeskarResult measure(LossLandscape landscape, KeskarSettings settings) {
        return measure(landscape, settings, null);
    }

    /**
     * Measures φ and writes the parameters θ₀ + δ of the highest loss found on the last
     * minibatch into {@code bestTheta}, unless it is null.
     */
    static KeskarResult measure(LossLandscape landscape, KeskarSettings settings, INDArray bestTheta) {
        Minibatches minibatches = Minibatches.of(landscape.data(), settings.batches(), settings.batchSize(),
                SeededDraws.subSeed(settings.seed(), BATCH_STREAM, 0));

        ProjectedAscent.Maxima maxima;
        try (BoxAscent ascent = new BoxAscent(landscape, settings, bestTheta)) {
            maxima = ascent.maximize(minibatches, 1, settings.iterations());
        } finally {
            landscape.restore();
        }

        double[] perBatch = new double[settings.batches()];
        for (int b = 0; b < perBatch.length; b++) {
            perBatch[b] = 100 * maxima.increases()[b] / (1 + maxima.baselines()[b]);
        }
        double sharpness = Statistics.mean(perBatch);
        log.debug("Keskar sharpness at epsilon {}: {} % over {} batches", settings.epsilon(), sharpness,
                perBatch.length);
        return new KeskarResult(settings.epsilon(), sharpness, Statistics.mean(maxima.increases()),
                Statistics.mean(maxima.baselines()), ProjectedAscent.boxed(perBatch), settings.iterations());
    }

    /** Sign-gradient ascent on c in [−1, 1]^P, with θ = θ₀ + ε·(|θ₀| + 1) ⊙ c. */
    private static final class BoxAscent extends ProjectedAscent {

        private final KeskarSettings settings;

        BoxAscent(LossLandscape landscape, KeskarSettings settings, INDArray bestTheta) {
            super(landscape, bestTheta);
            this.settings = settings;
        }

        @Override
        void start(int restart, int batch) {
            position.assign(0);
        }

        @Override
        void writeParameters() {
            // w = ε·(|θ₀| + 1) is recomputed each time to save a parameter-sized vector.
            Transforms.abs(theta.assign(landscape.origin()), false);
            theta.addi(1).muli(settings.epsilon()).muli(position).addi(landscape.origin());
        }

        @Override
        void step() {
            // sign(∂L/∂c) = sign(w ⊙ ∇L) = sign(∇L) because w > 0.
            Transforms.sign(gradient, false).muli(settings.stepSize());
            position.addi(gradient);
            Transforms.max(position, -1, false);
            Transforms.min(position, 1, false);
        }
    }
}
