package io.flatnesslab.flatness;

import java.util.ArrayList;
import java.util.List;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Measurer of the sharpness-based PAC-Bayes flatness of Jiang et al. (2020, "Fantastic
 * Generalization Measures and Where to Find Them"): the largest noise scale σ that raises the
 * mean training error by at most a target d.
 *
 * <pre>
 *   err(θ)  = 1 − training accuracy at θ
 *   u_m     = σ·z_m (plain)  or  σ·|θ₀| ⊙ z_m (magnitude-aware),  z_m ~ N(0, I), m = 1 … M
 *   f(σ)    = (1/M)·Σ_m err(θ₀ + u_m) − err(θ₀)
 *   σ*      = the largest σ in [σ_min, σ_max] found with f(σ) ≤ d;  reported with 1/σ*²
 * </pre>
 * The draws z_m are common random numbers. Each comes from its own seed, derived from the
 * settings' seed and m, and is regenerated for every σ instead of stored. So every σ is
 * evaluated on the same noise directions, and the result is reproducible.
 *
 * <p>Search: f(σ_min) is evaluated first, and if f(σ_min) > d the search ends with σ* = σ_min.
 * Then f(σ_max), and if f(σ_max) ≤ d the search ends with σ* = σ_max. Both ends are reported as
 * not bracketed. Otherwise the bracket [lo, hi] with f(lo) ≤ d < f(hi) is halved in log σ,
 * mid = √(lo·hi), for {@code bisectionSteps} steps, and σ* = lo. The comparisons with d allow
 * 1e−12 of round-off. With finite M, f is a step function that is only roughly monotone in σ,
 * so σ* is the lower end of a bracket of width (σ_max/σ_min)^(2^−steps), not the unique root.
 *
 * <p>The magnitude-aware noise makes σ* invariant to rescalings of θ₀ that leave the function
 * unchanged, such as multiplying the weights and bias of a ReLU layer by α > 0 and the next
 * layer's weights by 1/α. A parameter that is exactly 0 in θ₀ gets no noise there. The
 * robust-generalization-measures implementation of Jiang et al.'s measures
 * (github.com/nitarshan/robust-generalization-measures, measures.py) adds 1e−6 to the variance
 * σ²·θ₀_i², which would break this invariance, so it is left out here.
 *
 * <p>Cost: at most 1 + (bisectionSteps + 2)·M loss evaluations on all examples (the baseline,
 * the two bracket ends, the midpoints), fewer when the target is not bracketed, and M noise
 * draws per evaluated σ. Memory: two parameter-sized vectors (z, θ) besides the landscape's θ₀
 * and the network's parameters, one more float32 temporary while drawing in a float64
 * landscape. The network is back at θ₀ when this returns or throws.
 */
public final class PacBayesFlatness {

    private static final Logger log = LoggerFactory.getLogger(PacBayesFlatness.class);

    private static final int NOISE_STREAM = 0;

    /**
     * Slack of the comparison with the target. Mean error increases are multiples of 1/(n·M)
     * computed from 1 − accuracy, so an increase equal to the target may round to just above it.
     */
    private static final double ROUND_OFF = 1e-12;

    private PacBayesFlatness() {
    }

    /** Returns the maximum number of loss evaluations of {@link #measure}: 1 + (bisectionSteps + 2)·samples. */
    public static long plannedLossEvaluations(PacBayesSettings settings) {
        return 1 + (settings.bisectionSteps() + 2L) * settings.samples();
    }

    /** Returns the gradient evaluations of {@link #measure}: none. */
    public static long plannedGradientEvaluations(PacBayesSettings settings) {
        return 0;
    }

    /**
     * Searches σ* on all examples of the landscape.
     *
     * @throws io.flatnesslab.training.TrainingCancelledException when the landscape's
     *     cancellation check returns true
     */
    public static PacBayesResult measure(LossLandscape landscape, PacBayesSettings settings) {
        NoisyError noisy = new NoisyError(landscape, settings);
        try {
            double baselineError = landscape.evaluate(landscape.origin()).error();
            return search(noisy, baselineError, settings);
        } finally {
            noisy.close();
            landscape.restore();
        }
    }

    /** Returns the seed of draw z_m, so that a caller can regenerate the noise. */
    static long noiseSeed(PacBayesSettings settings, int m) {
        return SeededDraws.subSeed(settings.seed(), NOISE_STREAM, m);
    }

    private static PacBayesResult search(NoisyError noisy, double baselineError, PacBayesSettings settings) {
        double target = settings.targetErrorIncrease();
        List<PacBayesResult.Step> steps = new ArrayList<>();

        double atMin = noisy.meanError(settings.sigmaMin()) - baselineError;
        steps.add(new PacBayesResult.Step(settings.sigmaMin(), atMin));
        if (atMin > target + ROUND_OFF) {
            return result(baselineError, settings, settings.sigmaMin(), atMin, steps, false);
        }
        double atMax = noisy.meanError(settings.sigmaMax()) - baselineError;
        steps.add(new PacBayesResult.Step(settings.sigmaMax(), atMax));
        if (atMax <= target + ROUND_OFF) {
            return result(baselineError, settings, settings.sigmaMax(), atMax, steps, false);
        }

        double low = settings.sigmaMin();
        double lowIncrease = atMin;
        double high = settings.sigmaMax();
        for (int k = 0; k < settings.bisectionSteps(); k++) {
            double middle = Math.sqrt(low * high);
            double increase = noisy.meanError(middle) - baselineError;
            steps.add(new PacBayesResult.Step(middle, increase));
            if (increase <= target + ROUND_OFF) {
                low = middle;
                lowIncrease = increase;
            } else {
                high = middle;
            }
        }
        return result(baselineError, settings, low, lowIncrease, steps, true);
    }

    private static PacBayesResult result(double baselineError, PacBayesSettings settings, double sigma, double increase,
            List<PacBayesResult.Step> steps, boolean bracketed) {
        log.debug("PAC-Bayes sigma {} (magnitude-aware {}, bracketed {}) after {} evaluated sigmas", sigma,
                settings.magnitudeAware(), bracketed, steps.size());
        return new PacBayesResult(sigma, 1 / (sigma * sigma), baselineError, increase, settings.magnitudeAware(),
                steps, settings.samples(), bracketed);
    }

    /** Evaluator of the mean error under noise of scale σ, holding the noise and parameter vectors. */
    private static final class NoisyError {

        private final LossLandscape landscape;

        private final PacBayesSettings settings;

        private final INDArray noise;

        private final INDArray theta;

        NoisyError(LossLandscape landscape, PacBayesSettings settings) {
            this.landscape = landscape;
            this.settings = settings;
            this.noise = landscape.newVector();
            this.theta = landscape.newVector();
        }

        /** Returns (1/M)·Σ_m err(θ₀ + u_m) at noise scale {@code sigma}. */
        double meanError(double sigma) {
            double errors = 0;
            for (int m = 0; m < settings.samples(); m++) {
                SeededDraws.fillStandardNormal(noise, noiseSeed(settings, m));
                writeParameters(sigma);
                errors += landscape.evaluate(theta).error();
            }
            return errors / settings.samples();
        }

        /** Writes θ₀ + σ·z or θ₀ + σ·|θ₀| ⊙ z into θ. */
        private void writeParameters(double sigma) {
            if (settings.magnitudeAware()) {
                Transforms.abs(theta.assign(landscape.origin()), false);
                theta.muli(noise);
            } else {
                theta.assign(noise);
            }
            theta.muli(sigma).addi(landscape.origin());
        }

        void close() {
            noise.close();
            theta.close();
        }
    }
}
