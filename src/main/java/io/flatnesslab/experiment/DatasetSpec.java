package io.flatnesslab.experiment;

import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;

/**
 * Training data of an experiment.
 *
 * @param name dataset name from {@code GET /api/datasets}; default {@code mnist-10k}
 * @param trainSize number of examples sampled without replacement; default 1000
 * @param testSize held-out examples, disjoint from the training subset, on which every run's
 *     test loss and accuracy are measured. 0 turns the test split off, and the default is
 *     min(1000, dataset size − trainSize)
 */
@Schema(description = "Training data: a subset of one dataset, shared by all groups")
public record DatasetSpec(
        @Schema(description = "Dataset name from GET /api/datasets", example = "mnist-10k", defaultValue = "mnist-10k")
        @NotBlank(message = "must not be blank; use a name from GET /api/datasets, e.g. mnist-10k")
        @Size(max = 64, message = "must be at most 64 characters; use a name from GET /api/datasets") String name,
        @Schema(description = "Examples sampled without replacement", example = "1000", defaultValue = "1000")
        @Min(value = 1, message = "must be at least 1") Integer trainSize,
        @Schema(description = "Held-out examples disjoint from the training subset, for test loss, accuracy and the "
                + "generalization gap; 0 for none; default min(1000, dataset size − trainSize)", example = "1000")
        @Min(value = 0, message = "must be at least 0") Integer testSize) {

    static final String DEFAULT_NAME = "mnist-10k";

    static final int DEFAULT_TRAIN_SIZE = 1000;

    /** Default number of held-out test examples, when the dataset has that many beyond the subset. */
    static final int DEFAULT_TEST_SIZE = 1000;

    public DatasetSpec {
        name = name == null ? DEFAULT_NAME : name;
        trainSize = trainSize == null ? DEFAULT_TRAIN_SIZE : trainSize;
    }

    static DatasetSpec defaults() {
        return new DatasetSpec(null, null, null);
    }

    /** Returns the test split size for a dataset of {@code datasetSize} examples. */
    public int testSizeFor(int datasetSize) {
        return testSize != null ? testSize : Math.max(0, Math.min(DEFAULT_TEST_SIZE, datasetSize - trainSize));
    }
}
