package io.flatnesslab.dataset;

import java.nio.file.Path;

import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Settings of the dataset catalog.
 *
 * @param directory folder scanned for extra datasets: each subfolder whose name is a valid
 *     dataset name and that contains one IDX images file and one IDX labels file becomes a dataset
 */
@ConfigurationProperties("flatnesslab.datasets")
@Validated
public record DatasetProperties(@NotNull @DefaultValue("./datasets") Path directory) {
}
