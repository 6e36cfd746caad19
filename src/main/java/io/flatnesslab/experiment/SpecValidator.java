package io.flatnesslab.experiment;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import io.flatnesslab.dataset.Dataset;
import io.flatnesslab.dataset.DatasetCatalog;
import io.flatnesslab.dataset.DatasetNotFoundException;
import io.flatnesslab.dataset.DatasetUnavailableException;
import io.flatnesslab.training.NetworkFactory;
import org.springframework.stereotype.Component;

/**
 * Checks of a spec that Bean Validation annotations cannot express: finite numbers, the
 * dataset and its size, unique group keys and the parameter budget.
 */
@Component
class SpecValidator {

    private final DatasetCatalog datasets;

    private final ExperimentProperties properties;

    SpecValidator(DatasetCatalog datasets, ExperimentProperties properties) {
        this.datasets = datasets;
        this.properties = properties;
    }

    /** @throws InvalidRequestException listing every violation found */
    void validate(ExperimentSpec spec) {
        List<FieldViolation> violations = new ArrayList<>();

        if (!Double.isFinite(spec.training().learningRate())) {
            violations.add(new FieldViolation("training.learningRate", "must be a positive finite number, e.g. 0.1"));
        }
        List<Double> epsilons = spec.flatness().epsilons();
        for (int i = 0; i < epsilons.size(); i++) {
            if (epsilons.get(i) != null && !Double.isFinite(epsilons.get(i))) {
                violations.add(new FieldViolation("flatness.epsilons[" + i + "]", "must be a positive finite number"));
            }
        }

        Set<String> keys = new HashSet<>();
        for (int i = 0; i < spec.groups().size(); i++) {
            GroupSpec group = spec.groups().get(i);
            if (group != null && group.key() != null && !keys.add(group.key())) {
                violations.add(new FieldViolation("groups[" + i + "].key",
                        "duplicate group key '" + group.key() + "'; every group needs its own key"));
            }
        }

        Dataset dataset = checkDataset(spec.dataset(), violations);
        if (dataset != null) {
            checkBudget(spec, dataset, violations);
        }

        if (!violations.isEmpty()) {
            throw new InvalidRequestException("Invalid experiment spec", violations);
        }
    }

    private Dataset checkDataset(DatasetSpec spec, List<FieldViolation> violations) {
        Dataset dataset;
        try {
            dataset = datasets.get(spec.name());
        } catch (DatasetNotFoundException | DatasetUnavailableException e) {
            violations.add(new FieldViolation("dataset.name", e.getMessage()));
            return null;
        }
        if (spec.trainSize() > dataset.size()) {
            violations.add(new FieldViolation("dataset.trainSize", "must be at most " + dataset.size()
                    + ", the size of dataset '" + dataset.name() + "'; got " + spec.trainSize()));
        }
        return dataset;
    }

    private void checkBudget(ExperimentSpec spec, Dataset dataset, List<FieldViolation> violations) {
        for (int i = 0; i < spec.groups().size(); i++) {
            GroupSpec group = spec.groups().get(i);
            if (group == null || group.hiddenLayers() == null || group.hiddenLayers().contains(null)) {
                continue;
            }
            long parameters = NetworkFactory.parameterCount(dataset.inputSize(), group.hiddenLayers(), dataset.classCount());
            if (parameters > properties.maxParameters()) {
                violations.add(new FieldViolation("groups[" + i + "].hiddenLayers", String.format(
                        "model %d-%s-%d has %,d parameters, above the budget of %,d; use narrower layers or raise "
                                + "flatnesslab.experiments.max-parameters",
                        dataset.inputSize(), joinWidths(group.hiddenLayers()), dataset.classCount(), parameters,
                        properties.maxParameters())));
            }
        }
    }

    private static String joinWidths(List<Integer> widths) {
        return String.join("-", widths.stream().map(String::valueOf).toList());
    }
}
