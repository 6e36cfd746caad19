package io.flatnesslab.experiment;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;

/**
 * Experiment spec: the networks to train and the flatness to measure. Every field is optional: an absent field takes the value of the
 * classic experiment, so {@code {}} runs 784-5000-5000-10 and 784-50-50-10 on 1000 MNIST
 * digits with true labels and 784-5000-5000-10 on random labels, three runs each.
 *
 * <p>{@code seed} drives every random choice. Each random stream is derived from the seed and
 * its unit: the subset, the random labels, and per group and run the initialization, the
 * shuffling and each direction. So any unit can be recomputed alone, and the same spec gives
 * the same numbers on the same machine.
 */
@Schema(description = "Experiment spec; {} runs the classic experiment", example = "{}")
public record ExperimentSpec(
        @Schema(description = "Seed of all random streams", example = "0", defaultValue = "0") Long seed,
        @Valid DatasetSpec dataset,
        @Valid TrainingSpec training,
        @Schema(description = "Groups to compare; default over-natural [5000,5000], under-natural [50,50], "
                + "over-random [5000,5000] RANDOM")
        @NotEmpty(message = "must list at least one group")
        @Size(max = 32, message = "must have at most 32 groups")
        List<@NotNull(message = "must be an object") @Valid GroupSpec> groups,
        @Schema(description = "Independent training runs per group", example = "3", defaultValue = "3")
        @Min(value = 1, message = "must be at least 1") @Max(value = 100, message = "must be at most 100") Integer runsPerGroup,
        @Valid FlatnessSpec flatness,
        @Schema(description = "Id of an imported model (POST /api/models) to measure instead of training; then groups "
                + "must be the model's single group with runsPerGroup 1, and the training settings are not used. "
                + "POST /api/models/{id}/flatness fills these in.", example = "null")
        Long model) {

    public ExperimentSpec {
        seed = seed == null ? 0L : seed;
        dataset = dataset == null ? DatasetSpec.defaults() : dataset;
        training = training == null ? TrainingSpec.defaults() : training;
        groups = groups == null ? GroupSpec.classic() : Collections.unmodifiableList(new ArrayList<>(groups));
        runsPerGroup = runsPerGroup == null ? 3 : runsPerGroup;
        flatness = flatness == null ? FlatnessSpec.defaults() : flatness;
    }

    /** Returns the classic experiment: every field at its default. */
    public static ExperimentSpec classic() {
        return new ExperimentSpec(null, null, null, null, null, null, null);
    }

    /** Returns whether this experiment measures an imported model instead of training networks. */
    public boolean measuresImportedModel() {
        return model != null;
    }

    /** Number of training runs: groups times runs per group. */
    public int totalRuns() {
        return groups.size() * runsPerGroup;
    }

    /**
     * Returns this spec with the defaults that depend on the dataset filled in (the test split
     * size and the minibatch sizes of the sharpness measures), so that the stored spec shows
     * every value the job uses.
     */
    public ExperimentSpec resolved(int datasetSize) {
        DatasetSpec resolvedDataset = new DatasetSpec(dataset.name(), dataset.trainSize(), dataset.testSizeFor(datasetSize));
        return new ExperimentSpec(seed, resolvedDataset, training, groups, runsPerGroup,
                flatness.resolved(dataset.trainSize()), model);
    }

    /** Returns the group with {@code key}, or null. */
    public GroupSpec group(String key) {
        return groups.stream().filter(group -> group.key().equals(key)).findFirst().orElse(null);
    }
}
