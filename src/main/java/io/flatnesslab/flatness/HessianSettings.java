package io.flatnesslab.flatness;

/**
 * Settings of a {@link HessianEstimator} run. A count of 0 (topK, traceSamples, densityVectors)
 * disables that part of the estimate.
 *
 * @param topK number of largest eigenvalues to estimate, 0 to skip them
 * @param method algorithm for the largest eigenvalues
 * @param maxIterations cap per eigenvalue on power iterations (POWER), or on Lanczos steps for all
 *     top-k eigenvalues together (LANCZOS). Each iteration or step is one Hessian-vector product.
 * @param tolerance relative change |λ_t − λ_(t−1)| ≤ tolerance·|λ_t| between iterations at which
 *     an eigenvalue counts as converged and its iteration stops, or 0 to run every iteration
 * @param traceSamples number m of Rademacher vectors of the Hutchinson trace estimate, 0 to skip it
 * @param densityVectors number of start vectors of the stochastic Lanczos quadrature, 0 to skip
 *     the spectral density
 * @param lanczosSteps Lanczos steps per density start vector
 * @param finiteDifferenceStep step h of the central-difference Hessian-vector product, or null for
 *     the default rule of {@link CentralDifferenceProduct}; ignored by EXACT products
 * @param seed seed from which every start vector and sample vector is derived
 * @param product how Hessian-vector products are computed
 */
public record HessianSettings(int topK, Method method, int maxIterations, double tolerance, int traceSamples,
        int densityVectors, int lanczosSteps, Double finiteDifferenceStep, long seed, Product product) {

    /** Computation of the Hessian-vector products. */
    public enum Product {

        /** Pearlmutter's R-operator on ReLU networks with softmax cross-entropy: exact, no step. */
        EXACT,

        /** Central difference of two backpropagated gradients, with step finiteDifferenceStep. */
        CENTRAL_DIFFERENCE
    }

    /** Settings with central-difference products. */
    public HessianSettings(int topK, Method method, int maxIterations, double tolerance, int traceSamples,
            int densityVectors, int lanczosSteps, Double finiteDifferenceStep, long seed) {
        this(topK, method, maxIterations, tolerance, traceSamples, densityVectors, lanczosSteps, finiteDifferenceStep,
                seed, Product.CENTRAL_DIFFERENCE);
    }

    /** Algorithm for the largest eigenvalues. */
    public enum Method {

        /** Power iteration with Hotelling deflation, one eigenvalue after the other. */
        POWER,

        /** Lanczos with full reorthogonalization, all eigenvalues from one Krylov basis. */
        LANCZOS
    }

    /** Maximum eigenvalues per run. */
    public static final int MAX_TOP_K = 100;

    /** Maximum power iterations per eigenvalue. */
    public static final int MAX_POWER_ITERATIONS = 100_000;

    /**
     * Maximum Lanczos steps, for LANCZOS and for the density. Every step keeps a parameter-sized
     * basis vector, so memory, not time, is the real limit: see {@link HessianEstimator#vectorsNeeded}.
     */
    public static final int MAX_LANCZOS_STEPS = 1_000;

    /** Maximum trace samples and density start vectors. */
    public static final int MAX_SAMPLES = 100_000;

    /** Validates every field against its range. */
    public HessianSettings {
        requireInRange("topK", topK, 0, MAX_TOP_K);
        if (method == null) {
            throw new IllegalArgumentException("method must be POWER or LANCZOS, got null");
        }
        if (product == null) {
            throw new IllegalArgumentException("product must be EXACT or CENTRAL_DIFFERENCE, got null");
        }
        int maxIterationsCap = method == Method.LANCZOS ? MAX_LANCZOS_STEPS : MAX_POWER_ITERATIONS;
        int minIterations = method == Method.LANCZOS ? Math.max(1, topK) : 1;
        requireInRange("maxIterations", maxIterations, minIterations, maxIterationsCap);
        if (!(tolerance >= 0 && tolerance < 1)) {
            throw new IllegalArgumentException("tolerance must be in [0, 1), got " + tolerance);
        }
        requireInRange("traceSamples", traceSamples, 0, MAX_SAMPLES);
        requireInRange("densityVectors", densityVectors, 0, MAX_SAMPLES);
        requireInRange("lanczosSteps", lanczosSteps, densityVectors > 0 ? 1 : 0, MAX_LANCZOS_STEPS);
        if (finiteDifferenceStep != null && !(finiteDifferenceStep > 0 && finiteDifferenceStep < Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException("finiteDifferenceStep must be positive and finite, or null for the default rule, got "
                    + finiteDifferenceStep);
        }
    }

    private static void requireInRange(String field, int value, int min, int max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(field + " must be in [" + min + ", " + max + "], got " + value);
        }
    }
}
