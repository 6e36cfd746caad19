package io.flatnesslab.flatness;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Measurer of worst-case (adversarial, "m-") sharpness: the largest rise of the minibatch loss
 * within a ball around the trained parameters θ₀, found by projected gradient ascent.
 *
 * <pre>
 *   plain:     S_ρ(B) = max over ||δ||₂ ≤ ρ of L_B(θ₀ + δ) − L_B(θ₀)
 *   adaptive:  S_ρ(B) = max over ||δ ⊘ |θ₀| ||₂ ≤ ρ of L_B(θ₀ + δ) − L_B(θ₀)
 *   both as    δ = s ⊙ u, ||u||₂ ≤ ρ,  s = 1 (plain) or s = |θ₀| (adaptive)
 *   ascent:    g_u = s ⊙ ∇L_B(θ₀ + s ⊙ u)
 *              u ← P(u + η·ρ·g_u / ||g_u||₂),  P(v) = v·min(1, ρ / ||v||₂)
 *   reported:  mean and sample standard deviation (ddof 1) of S_ρ(B_b) over minibatches B_1 … B_K
 * </pre>
 * The adaptive version is the constraint of ASAM (Kwon et al. 2021). It is invariant to
 * rescalings of θ₀ that leave the function unchanged, such as multiplying the weights and bias
 * of a ReLU layer by α > 0 and the next layer's weights by 1/α, and it never moves a parameter
 * that is exactly 0 in θ₀. ⊘ and ⊙ are elementwise.
 *
 * <p>Restart 0 starts at u = 0 and restart r > 0 at ρ·z/||z||₂, z ~ N(0, I) drawn from a seed
 * derived from the settings' seed, the minibatch and r. S_ρ(B) takes the highest loss over all
 * iterates of all restarts, the start and end points included, so it is a lower bound of the
 * true maximum that can only grow with more iterations or restarts. L_B(θ₀) is the loss of the
 * first iterate of restart 0, so S_ρ(B) ≥ 0. A step is skipped when g_u is zero or not finite.
 * The minibatches are disjoint blocks of a seeded permutation of the examples (see
 * {@link Minibatches}).
 *
 * <p>Cost: K·R·(T + 1) gradient evaluations on {@code batchSize} examples each and no loss
 * evaluation, for K batches, R restarts and T iterations. Memory: three parameter-sized vectors
 * (u, θ, gradient) besides the landscape's θ₀ and the network's own parameters and gradient,
 * one more float32 temporary while drawing a start in a float64 landscape, and a copy of one
 * minibatch. The network is back at θ₀ when this returns or throws.
 */
public final class WorstCaseSharpness {

    private static final Logger log = LoggerFactory.getLogger(WorstCaseSharpness.class);

    /** Stream of {@link SeededDraws#subSeed} for the minibatch permutation. Restarts on batch b use stream 1 + b. */
    private static final int BATCH_STREAM = 0;

    private WorstCaseSharpness() {
    }

    /** Returns the gradient evaluations of {@link #measure}: batches·restarts·(iterations + 1). */
    public static long plannedGradientEvaluations(WorstCaseSettings settings) {
        return (long) settings.batches() * settings.restarts() * (settings.iterations() + 1L);
    }

    /** Returns the loss evaluations of {@link #measure}: none, because the baseline comes from a gradient pass. */
    public static long plannedLossEvaluations(WorstCaseSettings settings) {
        return 0;
    }

    /**
     * Measures S_ρ on each minibatch of the landscape's examples.
     *
     * @throws IllegalArgumentException when batches·batchSize exceeds the examples
     * @throws io.flatnesslab.training.TrainingCancelledException when the landscape's
     *     cancellation check returns true
     */
    public static WorstCaseResult measure(LossLandscape landscape, WorstCaseSettings settings) {
        return measure(landscape, settings, null);
    }

    /**
     * Measures S_ρ and writes the parameters θ₀ + δ of the highest loss found on the last
     * minibatch into {@code bestTheta}, unless it is null.
     */
    static WorstCaseResult measure(LossLandscape landscape, WorstCaseSettings settings, INDArray bestTheta) {
        Minibatches minibatches = Minibatches.of(landscape.data(), settings.batches(), settings.batchSize(),
                SeededDraws.subSeed(settings.seed(), BATCH_STREAM, 0));

        ProjectedAscent.Maxima maxima;
        try (BallAscent ascent = new BallAscent(landscape, settings, bestTheta)) {
            maxima = ascent.maximize(minibatches, settings.restarts(), settings.iterations());
        } finally {
            landscape.restore();
        }

        double[] perBatch = maxima.increases();
        double mean = Statistics.mean(perBatch);
        Double std = perBatch.length < 2 ? null : sampleStd(perBatch);
        log.debug("worst-case sharpness at radius {} (adaptive {}): mean {}, std {} over {} batches",
                settings.radius(), settings.adaptive(), mean, std, perBatch.length);
        return new WorstCaseResult(settings.radius(), settings.adaptive(), mean, std, ProjectedAscent.boxed(perBatch),
                ProjectedAscent.boxed(maxima.baselines()), settings.iterations(), settings.restarts());
    }

    private static double sampleStd(double[] values) {
        if (values.length < 2) {
            return Double.NaN;
        }
        double n = values.length;
        return Statistics.populationStd(values) * Math.sqrt(n / (n - 1));
    }

    /** Ascent on u in the ball ||u||₂ ≤ ρ, with θ = θ₀ + s ⊙ u. */
    private static final class BallAscent extends ProjectedAscent {

        private final WorstCaseSettings settings;

        BallAscent(LossLandscape landscape, WorstCaseSettings settings, INDArray bestTheta) {
            super(landscape, bestTheta);
            this.settings = settings;
        }

        @Override
        void start(int restart, int batch) {
            if (restart == 0) {
                position.assign(0);
                return;
            }

            SeededDraws.fillStandardNormal(position, SeededDraws.subSeed(settings.seed(), 1L + batch, restart));
            position.muli(settings.radius() / position.norm2Number().doubleValue());
        }

        @Override
        void writeParameters() {
            if (settings.adaptive()) {
                writeMagnitudes(theta);
                theta.muli(position).addi(landscape.origin());
            } else {
                theta.assign(position).addi(landscape.origin());
            }
        }

        @Override
        void step() {
            // Chain rule through δ = s ⊙ u. θ is free as scratch until the next writeParameters.
            if (settings.adaptive()) {
                writeMagnitudes(theta);
                gradient.muli(theta);
            }

            double norm = gradient.norm2Number().doubleValue();
            if (!(norm > 0) || Double.isInfinite(norm)) {
                log.debug("skipped a worst-case ascent step because the gradient norm is {}", norm);
                return;
            }
            position.addi(gradient.muli(settings.stepSize() * settings.radius() / norm));

            double length = position.norm2Number().doubleValue();
            if (length > settings.radius()) {
                position.muli(settings.radius() / length);
            }
        }

        /** Writes |θ₀| into {@code into}, recomputed each time to save a parameter-sized vector. */
        private void writeMagnitudes(INDArray into) {
            Transforms.abs(into.assign(landscape.origin()), false);
        }
    }
}
