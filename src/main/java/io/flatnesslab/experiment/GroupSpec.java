package io.flatnesslab.experiment;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/**
 * One architecture and label mode, trained {@code runsPerGroup} times.
 *
 * @param key identifier used in results, charts and logs
 * @param hiddenLayers widths of the ReLU hidden layers, input side first
 * @param labels NATURAL or RANDOM; default NATURAL
 */
@Schema(description = "An architecture and label mode, trained runsPerGroup times")
public record GroupSpec(
        @Schema(example = "over-natural")
        @NotNull(message = "is required, e.g. \"over-natural\"")
        @Pattern(regexp = "[A-Za-z0-9][A-Za-z0-9._-]{0,63}",
                message = "must be 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit") String key,
        @Schema(description = "Widths of the ReLU hidden layers, input side first", example = "[5000, 5000]")
        @NotEmpty(message = "must list at least one hidden layer width, e.g. [50, 50]")
        @Size(max = 32, message = "must have at most 32 layers")
        List<@NotNull(message = "must be a number") @Min(value = 1, message = "must be at least 1")
                @Max(value = 100_000, message = "must be at most 100000") Integer> hiddenLayers,
        @Schema(description = "NATURAL trains on the dataset's labels, RANDOM on labels drawn once per experiment",
                defaultValue = "NATURAL")
        LabelMode labels) {

    public GroupSpec {
        labels = labels == null ? LabelMode.NATURAL : labels;
        hiddenLayers = hiddenLayers == null ? null : Collections.unmodifiableList(new ArrayList<>(hiddenLayers));
    }

    static List<GroupSpec> classic() {
        return List.of(
                new GroupSpec("over-natural", List.of(5000, 5000), LabelMode.NATURAL),
                new GroupSpec("under-natural", List.of(50, 50), LabelMode.NATURAL),
                new GroupSpec("over-random", List.of(5000, 5000), LabelMode.RANDOM));
    }
}
