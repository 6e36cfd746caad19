package io.flatnesslab.experiment;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import io.flatnesslab.flatness.DirectionNormalization;
import io.flatnesslab.flatness.Precision;
import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.Size;

/**
 * Perturbations to measure.
 *
 * @param epsilons L2 norms of the perturbations; default [0.001, 0.005, 0.01, 0.05, 0.1]
 * @param directions random directions per run; default 5
 * @param twoSided also measure θ − ε·d (antithetic pairs); default false
 * @param precision FLOAT or DOUBLE evaluation of the losses; default FLOAT
 * @param normalization scaling of the random directions, default GLOBAL: GLOBAL (unit L2
 *     norm, the classic measure), LAYER, FILTER or ELEMENTWISE. The last three scale with the
 *     parameters, so ε is then a relative size
 * @param filterBiases with FILTER, whether a neuron's bias belongs to its filter; default true
 * @param slice 1D landscape slices, or null for none
 * @param surface 2D landscape surface, or null for none
 * @param interpolation interpolation between consecutive runs of each group, or null for none
 * @param worstCase worst-case sharpness, or null for none
 * @param keskar Keskar et al.'s ε-sharpness, or null for none
 * @param hessian Hessian eigenvalues, trace and density, or null for none
 * @param pacBayes PAC-Bayes flatness σ, or null for none
 * @param reparameterization repeat the measures on a rescaled equivalent network, or null for no check
 */
@Schema(description = "Perturbation norms and number of random directions, and the further measures to compute "
        + "(each optional: an absent measure is not computed, {} computes it with its defaults)")
public record FlatnessSpec(
        @Schema(description = "L2 norms of the perturbation", example = "[0.001, 0.005, 0.01, 0.05, 0.1]")
        @NotEmpty(message = "must list at least one perturbation norm, e.g. [0.01, 0.1]")
        @Size(max = 64, message = "must have at most 64 values")
        List<@NotNull(message = "must be a number") @Positive(message = "must be a positive finite number") Double> epsilons,
        @Schema(description = "Random directions per run", example = "5", defaultValue = "5")
        @Min(value = 1, message = "must be at least 1") @Max(value = 1000, message = "must be at most 1000") Integer directions,
        @Schema(description = "Also evaluate θ − ε·d and report the curvature part ½[L(θ+εd) + L(θ−εd)] − L(θ) and the "
                + "first-order part ½[L(θ+εd) − L(θ−εd)]", defaultValue = "false")
        Boolean twoSided,
        @Schema(description = "FLOAT or DOUBLE: type in which perturbed losses are computed; DOUBLE casts the trained "
                + "float32 parameters, it does not retrain", defaultValue = "FLOAT")
        Precision precision,
        @Schema(description = "GLOBAL (unit L2 norm), LAYER (each layer scaled to its norm), FILTER (each neuron's "
                + "incoming weights scaled to their norm) or ELEMENTWISE (δ_i = ε·|θ_i|·z_i); all but GLOBAL make ε "
                + "relative to the parameters", defaultValue = "GLOBAL")
        DirectionNormalization normalization,
        @Schema(description = "With FILTER, whether a neuron's bias belongs to its filter (true) or stays unperturbed "
                + "(false)", defaultValue = "true")
        Boolean filterBiases,
        @Valid SliceSpec slice,
        @Valid SurfaceSpec surface,
        @Valid InterpolationSpec interpolation,
        @Valid WorstCaseSpec worstCase,
        @Valid KeskarSpec keskar,
        @Valid HessianSpec hessian,
        @Valid PacBayesSpec pacBayes,
        @Valid ReparameterizationSpec reparameterization) {

    public FlatnessSpec {
        twoSided = twoSided == null ? Boolean.FALSE : twoSided;
        precision = precision == null ? Precision.FLOAT : precision;
        epsilons = epsilons == null ? List.of(0.001, 0.005, 0.01, 0.05, 0.1)
                : Collections.unmodifiableList(new ArrayList<>(epsilons));
        directions = directions == null ? 5 : directions;
        normalization = normalization == null ? DirectionNormalization.GLOBAL : normalization;
        filterBiases = filterBiases == null ? Boolean.TRUE : filterBiases;
    }

    static FlatnessSpec defaults() {
        return new FlatnessSpec(null, null, null, null, null, null, null, null, null, null, null, null, null, null);
    }

    /** Returns this section with the minibatch sizes that default to a share of {@code trainSize} filled in. */
    FlatnessSpec resolved(int trainSize) {
        WorstCaseSpec resolvedWorstCase = worstCase == null ? null : new WorstCaseSpec(worstCase.radius(),
                worstCase.adaptive(), worstCase.iterations(), worstCase.stepSize(), worstCase.restarts(),
                worstCase.batches(), worstCase.batchSizeFor(trainSize));
        KeskarSpec resolvedKeskar = keskar == null ? null : new KeskarSpec(keskar.epsilon(), keskar.iterations(),
                keskar.stepSize(), keskar.batches(), keskar.batchSizeFor(trainSize));
        return new FlatnessSpec(epsilons, directions, twoSided, precision, normalization, filterBiases, slice, surface,
                interpolation, resolvedWorstCase, resolvedKeskar, hessian, pacBayes, reparameterization);
    }

    /** Returns whether any measure beyond the random directions is requested, or the rescaling check. */
    public boolean hasFurtherMeasures() {
        return slice != null || surface != null || worstCase != null || keskar != null || hessian != null
                || pacBayes != null || reparameterization != null;
    }
}
