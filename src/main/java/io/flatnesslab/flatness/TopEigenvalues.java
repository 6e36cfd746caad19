package io.flatnesslab.flatness;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntToLongFunction;

import io.flatnesslab.flatness.HessianResult.Eigenvalue;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Largest eigenvalues of the Hessian at θ₀ from Hessian-vector products, by power iteration with
 * deflation or by Lanczos. See {@link HessianEstimator} for the formulas, costs and memory.
 */
final class TopEigenvalues {

    private TopEigenvalues() {
    }

    /**
     * Estimates λ₁…λ_k one after the other by power iteration on the deflated Hessian
     * H_k = H − Σ_(i<k) λ_i·v_i·v_iᵀ, each from its own Rademacher start vector.
     *
     * @param startSeed seed of the start vector of eigenvalue k (from 0)
     */
    static List<Eigenvalue> power(HessianVectorProduct product, LossLandscape landscape, HessianSettings settings,
            IntToLongFunction startSeed) {
        // NOTE: power iteration converges to the eigenvalue of largest magnitude, so away from a
        // minimum a negative eigenvalue larger in magnitude than λ_k is returned in its place.
        // LANCZOS returns the largest algebraic eigenvalues.
        List<Eigenvalue> found = new ArrayList<>();
        List<INDArray> vectors = new ArrayList<>();
        INDArray image = landscape.newVector();
        try {
            for (int k = 0; k < settings.topK(); k++) {
                INDArray iterate = landscape.newVector();
                vectors.add(iterate);
                ParameterVectors.fillUnitRademacher(iterate, startSeed.applyAsLong(k));

                found.add(iterate(product, k, iterate, image, vectors.subList(0, k), found, settings));
            }
        } finally {
            closeAll(vectors);
            image.close();
        }
        return found;
    }

    /**
     * Estimates λ₁…λ_k as the largest Ritz values of one Lanczos run with full
     * reorthogonalization, stopping after maxIterations steps or when every one of the k values
     * changed by at most tolerance relative to the previous step.
     */
    static List<Eigenvalue> lanczos(HessianVectorProduct product, LossLandscape landscape, HessianSettings settings,
            long startSeed) {
        try (Lanczos lanczos = new Lanczos(product, landscape, startSeed, settings.maxIterations())) {
            double[] previous = new double[0];
            double[] changes = new double[0];
            double[] top = new double[0];
            while (lanczos.canStep()) {
                lanczos.step();

                top = largestFirst(lanczos.ritz(false).values(), settings.topK());
                changes = relativeChanges(top, previous);
                previous = top;
                if (top.length == settings.topK() && allWithin(changes, settings.tolerance())) {
                    break;
                }
            }

            List<Eigenvalue> found = new ArrayList<>();
            for (int i = 0; i < top.length; i++) {
                boolean converged = lanczos.complete() || within(changes[i], settings.tolerance());
                found.add(new Eigenvalue(i + 1, top[i], lanczos.steps(), converged, changes[i]));
            }
            return found;
        }
    }

    /** Returns the relative change of λ from {@code previous}: NaN for none, 0 when both are 0. */
    static double relativeChange(double value, double previous) {
        if (Double.isNaN(previous)) {
            return Double.NaN;
        }
        double difference = Math.abs(value - previous);
        return difference == 0 ? 0 : difference / Math.abs(value);
    }

    /**
     * Runs power iteration on H_k from the unit vector {@code v}, which ends as the estimated
     * eigenvector, using {@code image} as the buffer for H_k·v.
     */
    private static Eigenvalue iterate(HessianVectorProduct product, int k, INDArray v, INDArray image,
            List<INDArray> vectors, List<Eigenvalue> found, HessianSettings settings) {
        double value = Double.NaN;
        double previous = Double.NaN;
        double change = Double.NaN;
        boolean converged = false;
        int iterations = 0;
        while (iterations < settings.maxIterations()) {
            product.apply(v, image);
            deflate(v, image, vectors, found);
            value = ParameterVectors.dot(v, image);
            iterations++;
            change = relativeChange(value, previous);
            previous = value;

            double norm = ParameterVectors.norm(image);
            if (norm == 0) {
                // v lies in the null space of H_k, so it is an eigenvector with eigenvalue 0.
                converged = true;
                break;
            }
            v.assign(image).divi(norm);
            if (within(change, settings.tolerance())) {
                converged = true;
                break;
            }
        }
        return new Eigenvalue(k + 1, value, iterations, converged, change);
    }

    /** Subtracts Σ_i λ_i·(v_iᵀv)·v_i from {@code image} = H·v. */
    private static void deflate(INDArray v, INDArray image, List<INDArray> vectors, List<Eigenvalue> found) {
        for (int i = 0; i < vectors.size(); i++) {
            INDArray eigenvector = vectors.get(i);
            double coefficient = found.get(i).value() * ParameterVectors.dot(eigenvector, v);
            ParameterVectors.axpy(-coefficient, eigenvector, image);
        }
    }

    private static double[] largestFirst(double[] ascending, int count) {
        int size = Math.min(count, ascending.length);
        double[] largest = new double[size];
        for (int i = 0; i < size; i++) {
            largest[i] = ascending[ascending.length - 1 - i];
        }
        return largest;
    }

    private static double[] relativeChanges(double[] current, double[] previous) {
        double[] changes = new double[current.length];
        Arrays.fill(changes, Double.NaN);
        for (int i = 0; i < Math.min(current.length, previous.length); i++) {
            changes[i] = relativeChange(current[i], previous[i]);
        }
        return changes;
    }

    private static boolean allWithin(double[] changes, double tolerance) {
        for (double change : changes) {
            if (!within(change, tolerance)) {
                return false;
            }
        }
        return true;
    }

    /** Returns whether {@code change} meets a positive tolerance, so that a tolerance of 0 never stops early. */
    private static boolean within(double change, double tolerance) {
        return tolerance > 0 && change <= tolerance;
    }

    private static void closeAll(List<INDArray> vectors) {
        for (INDArray vector : vectors) {
            vector.close();
        }
        vectors.clear();
    }
}
