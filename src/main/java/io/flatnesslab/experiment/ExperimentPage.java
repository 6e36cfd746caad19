package io.flatnesslab.experiment;

import java.util.List;

/** One page of experiments, newest first. */
public record ExperimentPage(List<ExperimentView> content, int page, int size, long totalElements, int totalPages) {
}
