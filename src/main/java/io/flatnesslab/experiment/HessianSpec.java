package io.flatnesslab.experiment;

import io.flatnesslab.flatness.HessianSettings;
import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Positive;

/**
 * Hessian of the training loss at the trained parameters, from Hessian-vector products by
 * central differences of exact gradients: top-k eigenvalues, trace and spectral density.
 *
 * @param topK largest eigenvalues to estimate, 0 for none; default 1
 * @param method POWER (power iteration with deflation) or LANCZOS; default POWER
 * @param maxIterations cap on products per eigenvalue (POWER) or Lanczos steps (LANCZOS); default 20
 * @param tolerance relative change of an eigenvalue estimate below which it counts as converged; default 1e-3
 * @param traceSamples Hutchinson samples for tr(H), 0 for none; default 10
 * @param densityVectors start vectors of stochastic Lanczos quadrature, 0 for no density; default 1
 * @param lanczosSteps Lanczos steps per density vector; default 20
 * @param finiteDifferenceStep step h of the central differences; default chosen from the float type
 * @param examples training examples the loss averages over, the first ones of the subset; default all
 * @param product EXACT (the R-operator, default) or CENTRAL_DIFFERENCE Hessian-vector products
 */
@Schema(description = "Hessian top-k eigenvalues, trace and spectral density; each Hessian-vector product costs 2 "
        + "gradient evaluations")
public record HessianSpec(
        @Schema(description = "Largest eigenvalues to estimate, 0 for none", defaultValue = "1") @Min(value = 0, message = "must be at least 0") @Max(value = 20, message = "must be at most 20") Integer topK,
        @Schema(description = "POWER (power iteration with deflation) or LANCZOS", defaultValue = "POWER") HessianMethod method,
        @Schema(description = "Cap on products per eigenvalue (POWER) or Lanczos steps (LANCZOS)", defaultValue = "20") @Min(value = 1, message = "must be at least 1") @Max(value = 500, message = "must be at most 500") Integer maxIterations,
        @Schema(description = "Relative change of an eigenvalue below which it counts as converged, in (0, 1)", defaultValue = "0.001") @Positive(message = "must be a number in (0, 1), e.g. 0.001")
        @DecimalMax(value = "1.0", inclusive = false, message = "must be a number in (0, 1), e.g. 0.001") Double tolerance,
        @Schema(description = "Hutchinson samples for tr(H), 0 for none", defaultValue = "10") @Min(value = 0, message = "must be at least 0") @Max(value = 1000, message = "must be at most 1000") Integer traceSamples,
        @Schema(description = "Start vectors of stochastic Lanczos quadrature, 0 for no density", defaultValue = "1") @Min(value = 0, message = "must be at least 0") @Max(value = 20, message = "must be at most 20") Integer densityVectors,
        @Schema(description = "Lanczos steps per density vector; each keeps one parameter-sized vector", defaultValue = "20") @Min(value = 2, message = "must be at least 2") @Max(value = 200, message = "must be at most 200") Integer lanczosSteps,
        @Schema(description = "Step h of the central differences; default from the float type")
        @Positive(message = "must be a positive finite number, e.g. 0.001") Double finiteDifferenceStep,
        @Schema(description = "Training examples used, the first ones of the subset; default all")
        @Min(value = 1, message = "must be at least 1") Integer examples,
        @Schema(description = "EXACT: Hessian-vector products by the R-operator, exact for ReLU networks; "
                + "CENTRAL_DIFFERENCE: by central differences of gradients with step finiteDifferenceStep, biased where "
                + "the step crosses ReLU kinks", defaultValue = "EXACT")
        HessianSettings.Product product) {

    /** Algorithm for the top eigenvalues. */
    public enum HessianMethod {
        POWER, LANCZOS
    }

    public HessianSpec {
        topK = topK == null ? 1 : topK;
        method = method == null ? HessianMethod.POWER : method;
        maxIterations = maxIterations == null ? 20 : maxIterations;
        tolerance = tolerance == null ? 1e-3 : tolerance;
        traceSamples = traceSamples == null ? 10 : traceSamples;
        densityVectors = densityVectors == null ? 1 : densityVectors;
        lanczosSteps = lanczosSteps == null ? 20 : lanczosSteps;
        product = product == null ? HessianSettings.Product.EXACT : product;
    }
}
