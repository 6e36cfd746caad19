package io.flatnesslab.flatness;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Lanczos iteration with full reorthogonalization on the Hessian at θ₀:
 * <pre>
 *   q₁ = unit Rademacher vector (entries ±1/√N),  β₀ = 0
 *   for j = 1, 2, …:  w = H·q_j,  α_j = q_jᵀw,  w ← w − α_j·q_j − β_(j−1)·q_(j−1),
 *                     w ← w − Σ_(i ≤ j) (q_iᵀw)·q_i   (twice),  β_j = ||w||,  q_(j+1) = w / β_j
 * </pre>
 * After m steps Q_mᵀ·H·Q_m = T_m, the symmetric tridiagonal matrix with diagonal α and
 * off-diagonal β. Full reorthogonalization keeps Q orthonormal to round-off, so T has no spurious
 * copies of converged eigenvalues. The iteration stops after N steps, or earlier when β_j falls
 * below 100·u·max_i(|α_i| + β_i) with u the machine epsilon, because q₁…q_j then span an
 * invariant subspace.
 *
 * <p>Memory: the basis q₁…q_j plus w, so at most steps + 1 parameter-sized vectors, plus the two
 * of the {@link HessianVectorProduct}. One step costs one product (two gradient evaluations) and
 * about 4j dot products and updates over N elements.
 */
final class Lanczos implements AutoCloseable {

    private static final double BREAKDOWN_FACTOR = 100;

    private final HessianVectorProduct product;

    private final LossLandscape landscape;

    private final int maxSteps;

    private final List<INDArray> basis = new ArrayList<>();

    private final double[] alphas;

    private final double[] betas;

    private INDArray residual;

    private int steps;

    private boolean exhausted;

    private double scale;

    /**
     * Starts the iteration from a Rademacher vector drawn from {@code startSeed}, running no product yet.
     *
     * @param maxSteps cap on the steps, lowered to the parameter count N
     */
    Lanczos(HessianVectorProduct product, LossLandscape landscape, long startSeed, int maxSteps) {
        this.product = product;
        this.landscape = landscape;
        this.maxSteps = (int) Math.min(maxSteps, landscape.parameterCount());
        this.alphas = new double[this.maxSteps];
        this.betas = new double[this.maxSteps];

        INDArray first = landscape.newVector();
        basis.add(first);
        ParameterVectors.fillUnitRademacher(first, startSeed);
    }

    /** Returns whether another step can run: the cap is not reached and no invariant subspace was found. */
    boolean canStep() {
        return !exhausted && steps < maxSteps;
    }

    /** Runs one step, which evaluates one Hessian-vector product. */
    void step() {
        if (!canStep()) {
            throw new IllegalStateException("Lanczos cannot run step " + (steps + 1) + " of at most " + maxSteps);
        }
        INDArray q = basis.get(steps);
        if (residual == null) {
            residual = landscape.newVector();
        }
        product.apply(q, residual);

        double alpha = ParameterVectors.dot(q, residual);
        ParameterVectors.axpy(-alpha, q, residual);
        if (steps > 0) {
            ParameterVectors.axpy(-betas[steps - 1], basis.get(steps - 1), residual);
        }
        reorthogonalize();
        reorthogonalize();
        double beta = ParameterVectors.norm(residual);

        alphas[steps] = alpha;
        betas[steps] = beta;
        steps++;
        scale = Math.max(scale, Math.abs(alpha) + beta);
        if (beta <= BREAKDOWN_FACTOR * machineEpsilon() * scale) {
            exhausted = true;
        } else if (steps < maxSteps) {
            // The residual becomes the next basis vector, so the next step allocates a new one.
            residual.divi(beta);
            basis.add(residual);
            residual = null;
        }
    }

    /**
     * Returns whether the basis spans an invariant subspace of H (β fell to round-off, or all N
     * dimensions), so that the Ritz values are eigenvalues up to the error of the products.
     */
    boolean complete() {
        return exhausted || steps == landscape.parameterCount();
    }

    int steps() {
        return steps;
    }

    /** Returns the diagonal α₁…α_m of T_m. */
    double[] alphas() {
        return Arrays.copyOf(alphas, steps);
    }

    /** Returns the off-diagonal β₁…β_(m−1) of T_m. */
    double[] betas() {
        return Arrays.copyOf(betas, Math.max(0, steps - 1));
    }

    /** Computes the eigenvalues (Ritz values) and eigenvectors of T_m for the steps run so far. */
    SymmetricTridiagonal.Eigensystem ritz(boolean withVectors) {
        return SymmetricTridiagonal.decompose(alphas(), betas(), withVectors);
    }

    @Override
    public void close() {
        for (INDArray vector : basis) {
            vector.close();
        }
        basis.clear();
        if (residual != null) {
            residual.close();
            residual = null;
        }
    }

    /** Removes from the residual its components along q₁…q_j (one classical Gram-Schmidt pass). */
    private void reorthogonalize() {
        int count = Math.min(steps + 1, basis.size());
        double[] components = new double[count];
        for (int i = 0; i < count; i++) {
            components[i] = ParameterVectors.dot(basis.get(i), residual);
        }
        for (int i = 0; i < count; i++) {
            ParameterVectors.axpy(-components[i], basis.get(i), residual);
        }
    }

    private double machineEpsilon() {
        return landscape.dataType() == DataType.DOUBLE ? Math.ulp(1.0) : Math.ulp(1.0f);
    }
}
