package io.flatnesslab.flatness;

import java.util.List;
import java.util.SplittableRandom;

import io.flatnesslab.flatness.HessianResult.Density;
import io.flatnesslab.flatness.HessianResult.Eigenvalue;
import io.flatnesslab.flatness.HessianResult.Trace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Estimator of the Hessian spectrum of the training loss at the trained parameters θ₀: the
 * largest eigenvalues, the trace and the spectral density, all from Hessian-vector products.
 *
 * <p>Hessian-vector products, for a unit vector v. DL4J has no double backpropagation, so
 * either EXACT products run Pearlmutter's R-operator through the forward and backward passes
 * written out in {@link ExactHessianProduct}, or CENTRAL_DIFFERENCE products take
 * <pre>
 *   H·v ≈ [∇L(θ₀ + h·v) − ∇L(θ₀ − h·v)] / (2h),   h = u^(1/3)·max(1, ||θ₀||₂/√N) by default
 * </pre>
 * with u = 2⁻²³ in float32 and 2⁻⁵² in float64; {@link CentralDifferenceProduct} derives the step.
 * On ReLU networks the difference straddles kinks of the loss, which biases it (see there).
 *
 * <p>Largest eigenvalues λ₁ ≥ … ≥ λ_k:
 * <ul>
 *   <li>POWER: for k = 1, 2, …, power iteration v ← H_k·v / ||H_k·v|| on the deflated Hessian
 *       H_k = H − Σ_(i<k) λ_i·v_i·v_iᵀ (Hotelling), with λ_t = vᵀ·H_k·v, until
 *       |λ_t − λ_(t−1)| ≤ tolerance·|λ_t| or maxIterations. Power iteration finds the eigenvalue of
 *       largest magnitude. At a minimum H is positive semi-definite up to small negative
 *       eigenvalues, so these are the largest ones.
 *   <li>LANCZOS: Lanczos with full reorthogonalization (see {@link Lanczos}) for maxIterations
 *       steps, or until each of the k largest Ritz values of T changed by at most tolerance
 *       relative to the previous step. These are the largest algebraic eigenvalues, negative
 *       curvature included.
 * </ul>
 *
 * <p>Trace (Hutchinson): tr(H) ≈ (1/m)·Σ_k z_kᵀ·H·z_k with Rademacher z_k ∈ {±1}^N, computed as
 * N·q_kᵀ·H·q_k with the unit vector q_k = z_k/√N so that the finite difference takes the step h
 * along a unit vector. For Rademacher vectors Var(zᵀHz) = 2·Σ_(i≠j) H_ij², less than the
 * 2·Σ_(i,j) H_ij² of Gaussian vectors.
 *
 * <p>Spectral density by stochastic Lanczos quadrature (Ubaru, Chen and Saad 2017, applied to
 * network Hessians by Ghorbani, Krishnan and Xiao 2019): lanczosSteps Lanczos steps from each of
 * densityVectors unit Rademacher start vectors, the Ritz values and squared first eigenvector
 * components of each T as quadrature nodes and weights, smoothed as {@link Density} states.
 * ∫λ·ρ(λ)dλ ≈ tr(H)/N.
 *
 * <p>Cost, in gradient evaluations (each a forward and a backward pass over all examples of the
 * landscape) and no loss evaluations, at most
 * <pre>
 *   2 · (P + traceSamples + densityVectors·lanczosSteps),   P = topK·maxIterations (POWER), maxIterations (LANCZOS)
 * </pre>
 * with P = 0 when topK is 0. Converged power iterations and converged or complete Lanczos runs
 * (Lanczos stops at N steps) spend fewer, and {@link HessianResult#gradientEvaluations()} reports
 * the count from the landscape. No gradient is evaluated at θ₀ itself.
 *
 * <p>Memory, in parameter-sized vectors of the landscape's type: N·4 bytes each in float32 and N·8
 * in float64, so 120 MB in float32 for the 29.8 M parameters of a 784-5000-5000-10 network. The
 * parts run one after another, so the peak is
 * <pre>
 *   2 + max(topK + 1 (POWER) or maxIterations + 1 (LANCZOS),  2 (trace),  lanczosSteps + 1 (density))
 * </pre>
 * over the enabled parts, as {@link #vectorsNeeded} returns: two for the finite difference, the
 * deflation vectors of power iteration, and the stored basis of Lanczos. For 29.8 M parameters,
 * lanczosSteps = 20 needs 23 vectors, about 2.7 GB. The landscape's θ₀ copy and the network's own
 * parameter and gradient arrays come on top. Dot products and norms are summed in double also in
 * float32.
 *
 * <p>Seeds: start and probe vectors are Rademacher vectors drawn from seeds derived from
 * settings.seed, the part (POWER, LANCZOS, trace, density) and the vector's index, so each can be
 * recomputed alone. The network's parameters are θ₀ again when {@link #estimate} returns or throws.
 */
public final class HessianEstimator {

    /** Points of the grid of the smoothed spectral density. */
    public static final int DENSITY_GRID_POINTS = 200;

    private static final Logger LOG = LoggerFactory.getLogger(HessianEstimator.class);

    /** Distance between the seed ranges of the parts, more than any count the settings allow. */
    private static final long PART_STRIDE = 1L << 32;

    static final int POWER_PART = 1;

    static final int LANCZOS_PART = 2;

    static final int TRACE_PART = 3;

    static final int DENSITY_PART = 4;

    private HessianEstimator() {
    }

    /**
     * Estimates the enabled parts of the spectrum on {@code landscape}. The caller closes the landscape.
     *
     * @throws io.flatnesslab.training.TrainingCancelledException when the landscape's
     *     cancellation supplier returns true, with the parameters back at θ₀
     */
    public static HessianResult estimate(LossLandscape landscape, HessianSettings settings) {
        long gradientsBefore = landscape.gradientEvaluations();
        boolean exact = settings.product() == HessianSettings.Product.EXACT;
        Double step = exact ? null : settings.finiteDifferenceStep() != null ? settings.finiteDifferenceStep()
                : defaultFiniteDifferenceStep(landscape);
        LOG.info("Estimating the Hessian spectrum of {} parameters in {} with {} products (h = {}): {}, at most {} "
                + "gradient evaluations", landscape.parameterCount(), landscape.dataType(), settings.product(), step,
                settings, plannedGradientEvaluations(settings));

        List<Eigenvalue> eigenvalues = List.of();
        Trace trace = null;
        Density density = null;
        try (HessianVectorProduct product = exact ? new ExactHessianProduct(landscape)
                : new CentralDifferenceProduct(landscape, step)) {
            if (settings.topK() > 0) {
                eigenvalues = settings.method() == HessianSettings.Method.POWER
                        ? TopEigenvalues.power(product, landscape, settings, k -> partSeed(settings.seed(), POWER_PART, k))
                        : TopEigenvalues.lanczos(product, landscape, settings, partSeed(settings.seed(), LANCZOS_PART, 0));
            }
            if (settings.traceSamples() > 0) {
                trace = hutchinson(product, landscape, settings);
            }
            if (settings.densityVectors() > 0) {
                density = SpectralDensity.estimate(product, landscape, settings.densityVectors(), settings.lanczosSteps(),
                        v -> partSeed(settings.seed(), DENSITY_PART, v));
            }
        } finally {
            landscape.restore();
        }

        long gradients = landscape.gradientEvaluations() - gradientsBefore;
        LOG.info("Estimated the Hessian spectrum with {} gradient evaluations: top eigenvalues {}, trace {}",
                gradients, eigenvalues, trace);
        return new HessianResult(eigenvalues, trace, density, settings.product(), step, gradients);
    }

    /** Computes the maximum number of gradient evaluations of {@link #estimate} with {@code settings}. */
    public static long plannedGradientEvaluations(HessianSettings settings) {
        long products = 0;
        if (settings.topK() > 0) {
            products += settings.method() == HessianSettings.Method.POWER
                    ? (long) settings.topK() * settings.maxIterations()
                    : settings.maxIterations();
        }
        products += settings.traceSamples();
        products += (long) settings.densityVectors() * settings.lanczosSteps();
        return 2 * products;
    }

    /** Returns the number of loss evaluations of {@link #estimate}: none, it uses gradients only. */
    public static long plannedLossEvaluations(HessianSettings settings) {
        return 0;
    }

    /**
     * Computes the peak number of parameter-sized vectors {@link #estimate} allocates with
     * {@code settings}, not counting the landscape's and the network's own arrays. Multiply by
     * N·4 bytes (float32) or N·8 bytes (float64) to check memory before starting.
     */
    public static long vectorsNeeded(HessianSettings settings) {
        long largestPart = 0;
        if (settings.topK() > 0) {
            largestPart = settings.method() == HessianSettings.Method.POWER
                    ? settings.topK() + 1L
                    : settings.maxIterations() + 1L;
        }
        if (settings.traceSamples() > 0) {
            largestPart = Math.max(largestPart, 2);
        }
        if (settings.densityVectors() > 0) {
            largestPart = Math.max(largestPart, settings.lanczosSteps() + 1L);
        }
        return largestPart == 0 ? 0 : 2 + largestPart;
    }

    /** Computes the default finite-difference step u^(1/3)·max(1, ||θ₀||₂/√N) of {@code landscape}. */
    public static double defaultFiniteDifferenceStep(LossLandscape landscape) {
        return CentralDifferenceProduct.defaultStep(landscape);
    }

    /** Derives the seed of vector {@code index} of a part from the settings' seed. */
    static long partSeed(long seed, int part, int index) {
        return new SplittableRandom(seed + part * PART_STRIDE + index).nextLong();
    }

    private static Trace hutchinson(HessianVectorProduct product, LossLandscape landscape, HessianSettings settings) {
        int samples = settings.traceSamples();
        double[] values = new double[samples];
        INDArray probe = landscape.newVector();
        INDArray image = landscape.newVector();
        try {
            for (int k = 0; k < samples; k++) {
                ParameterVectors.fillUnitRademacher(probe, partSeed(settings.seed(), TRACE_PART, k));
                product.apply(probe, image);
                values[k] = landscape.parameterCount() * ParameterVectors.dot(probe, image);
            }
        } finally {
            probe.close();
            image.close();
        }

        double sampleStd = samples > 1 ? Statistics.populationStd(values) * Math.sqrt(samples / (samples - 1.0)) : Double.NaN;
        return new Trace(Statistics.mean(values), sampleStd, Statistics.standardError(values), samples);
    }
}
