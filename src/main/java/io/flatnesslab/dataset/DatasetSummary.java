package io.flatnesslab.dataset;

import io.swagger.v3.oas.annotations.media.Schema;

/**
 * Listing entry of a dataset.
 *
 * @param error why the dataset cannot be used, or {@code null} when it is available
 */
@Schema(description = "A dataset that experiments can select by name")
public record DatasetSummary(
        @Schema(example = "mnist-10k") String name,
        @Schema(description = "'embedded' or the folder the files were read from", example = "embedded") String source,
        @Schema(description = "Number of examples", example = "10000") Integer size,
        @Schema(example = "28") Integer rows,
        @Schema(example = "28") Integer columns,
        @Schema(description = "Number of classes (largest label plus one)", example = "10") Integer classes,
        @Schema(description = "AVAILABLE or INVALID") String status,
        @Schema(description = "Why an INVALID dataset cannot be read") String error) {

    static DatasetSummary of(Dataset dataset) {
        return new DatasetSummary(dataset.name(), dataset.source(), dataset.size(), dataset.images().rows(),
                dataset.images().columns(), dataset.classCount(), "AVAILABLE", null);
    }

    static DatasetSummary invalid(String name, String source, String error) {
        return new DatasetSummary(name, source, null, null, null, null, "INVALID", error);
    }
}
