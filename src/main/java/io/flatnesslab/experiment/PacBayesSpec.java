package io.flatnesslab.experiment;

import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Positive;

/**
 * PAC-Bayes flatness: the largest σ such that Gaussian noise N(0, σ²) on every parameter
 * (magnitude-aware: N(0, σ²·θ_i²)) raises the training error by at most a target, found by
 * bisection with Monte Carlo samples.
 *
 * @param targetErrorIncrease allowed rise of the training error, in (0, 1); default 0.1
 * @param magnitudeAware scale the noise of each parameter by |θ_i|; default false
 * @param samples noise draws per σ; default 5
 * @param bisectionSteps bisection steps on log σ; default 12
 * @param sigmaMin lower end of the search; default 1e-5
 * @param sigmaMax upper end of the search; default 10
 */
@Schema(description = "PAC-Bayes flatness σ by bisection, cost about 1 + bisectionSteps × samples loss evaluations")
public record PacBayesSpec(
        @Schema(description = "Allowed rise of the training error, in (0, 1)", defaultValue = "0.1") @Positive(message = "must be a number in (0, 1), e.g. 0.1")
        @DecimalMax(value = "1.0", inclusive = false, message = "must be a number in (0, 1), e.g. 0.1") Double targetErrorIncrease,
        @Schema(description = "Noise N(0, σ²·θ_i²) per parameter instead of N(0, σ²) (invariant to ReLU rescaling)", defaultValue = "false") Boolean magnitudeAware,
        @Schema(description = "Monte Carlo noise draws per σ, the same draws for every σ", defaultValue = "5") @Min(value = 1, message = "must be at least 1") @Max(value = 100, message = "must be at most 100") Integer samples,
        @Schema(description = "Bisection steps on log σ", defaultValue = "12") @Min(value = 1, message = "must be at least 1") @Max(value = 60, message = "must be at most 60") Integer bisectionSteps,
        @Schema(description = "Lower end of the search", defaultValue = "0.00001") @Positive(message = "must be a positive finite number, e.g. 0.00001") Double sigmaMin,
        @Schema(description = "Upper end of the search", defaultValue = "10") @Positive(message = "must be a positive finite number, e.g. 10") Double sigmaMax) {

    public PacBayesSpec {
        targetErrorIncrease = targetErrorIncrease == null ? 0.1 : targetErrorIncrease;
        magnitudeAware = magnitudeAware == null ? Boolean.FALSE : magnitudeAware;
        samples = samples == null ? 5 : samples;
        bisectionSteps = bisectionSteps == null ? 12 : bisectionSteps;
        sigmaMin = sigmaMin == null ? 1e-5 : sigmaMin;
        sigmaMax = sigmaMax == null ? 10.0 : sigmaMax;
    }
}
