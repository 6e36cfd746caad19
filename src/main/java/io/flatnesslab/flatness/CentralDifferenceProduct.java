package io.flatnesslab.flatness;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Hessian-vector product at θ₀ by a central difference of exact gradients, because DL4J has no
 * second-order backpropagation:
 * <pre>
 *   H·v ≈ [∇L(θ₀ + h·v) − ∇L(θ₀ − h·v)] / (2h)      (||v||₂ = 1, two gradient evaluations)
 * </pre>
 *
 * <p>Step rule. For a unit v the computed product is H·v + E_t + E_r with
 * <ul>
 *   <li>truncation E_t = (h²/6)·∇³L[v, v, ·] + O(h⁴), relative size about (h/ℓ)² for a loss whose
 *       curvature changes over a distance ℓ along v;
 *   <li>round-off E_r ≈ r/h: forming θ₀ ± h·v rounds coordinate i by about u·|θ₀ᵢ| (u the machine
 *       epsilon of the landscape's type), and the gradients themselves carry errors of order
 *       u times their terms. The rounding vector has norm about u·||θ₀||, spread over all N
 *       coordinates rather than aligned with v, so it changes the product by about
 *       u·(||θ₀||/√N)·||H||_F / h, a relative error of about u·s/h with s = ||θ₀||/√N the RMS
 *       parameter and ||H||_F/||H·v|| taken as O(1).
 * </ul>
 * Minimizing (h/ℓ)² + u·s/h gives h* = (u·s·ℓ²/2)^(1/3). Assuming that both scales are the
 * typical parameter size, floored at 1 for small parameters, ℓ ≈ s ≈ max(1, s), gives
 * <pre>
 *   h = u^(1/3) · max(1, ||θ₀||₂ / √N)      h ≈ 4.9e−3 for u = 2⁻²³ (float32),  h ≈ 6.1e−6 for u = 2⁻⁵² (float64)
 * </pre>
 * and both errors are then of relative order u^(2/3): about 2.4e−5 in float32 and 3.7e−11 in
 * float64. On softmax regression, whose Hessian has a closed form, HessianEstimatorTests checks
 * that this h is within a factor 4 of the best of nine steps spaced by √10 around it. A ReLU
 * network is only piecewise smooth: a step straddling a kink adds an error that a smaller h
 * makes rarer, not smaller. On trained 784-64-32-10 and 784-16-16-10 networks, float32 and
 * this h gave top eigenvalues 5 to 9 times, and traces up to 15 times, those of exact products.
 * The values also moved with h, because about ten pre-activations change sign between
 * θ₀ − h·v and θ₀ + h·v. So {@link ExactHessianProduct} is the default.
 *
 * <p>Memory: two parameter-sized vectors of the landscape's type (the shifted point and the
 * gradient there) besides the output.
 */
final class CentralDifferenceProduct implements HessianVectorProduct {

    private final LossLandscape landscape;

    private final double step;

    private final INDArray shifted;

    private final INDArray plusGradient;

    CentralDifferenceProduct(LossLandscape landscape, double step) {
        if (!(step > 0) || Double.isInfinite(step)) {
            throw new IllegalArgumentException("finite-difference step must be positive and finite, got " + step);
        }
        this.landscape = landscape;
        this.step = step;
        this.shifted = landscape.newVector();
        this.plusGradient = landscape.newVector();
    }

    /** Computes the default step u^(1/3)·max(1, ||θ₀||₂/√N) of {@code landscape}, derived in the class comment. */
    static double defaultStep(LossLandscape landscape) {
        double machineEpsilon = landscape.dataType() == DataType.DOUBLE ? Math.ulp(1.0) : Math.ulp(1.0f);
        double rmsParameter = ParameterVectors.norm(landscape.origin()) / Math.sqrt(landscape.parameterCount());
        return Math.cbrt(machineEpsilon) * Math.max(1, rmsParameter);
    }

    double step() {
        return step;
    }

    /** Writes H·{@code unit} into {@code product}, with two gradient evaluations. */
    @Override
    public void apply(INDArray unit, INDArray product) {
        INDArray origin = landscape.origin();

        shifted.assign(unit).muli(step).addi(origin);
        landscape.gradient(shifted, plusGradient);

        shifted.assign(unit).muli(-step).addi(origin);
        landscape.gradient(shifted, product);

        product.rsubi(plusGradient).divi(2 * step);
    }

    @Override
    public void close() {
        shifted.close();
        plusGradient.close();
    }
}
