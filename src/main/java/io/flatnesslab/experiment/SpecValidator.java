package io.flatnesslab.experiment;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import io.flatnesslab.dataset.Dataset;
import io.flatnesslab.dataset.DatasetCatalog;
import io.flatnesslab.dataset.DatasetNotFoundException;
import io.flatnesslab.dataset.DatasetUnavailableException;
import io.flatnesslab.snapshot.ModelInfo;
import io.flatnesslab.snapshot.ModelNotFoundException;
import io.flatnesslab.snapshot.ModelService;
import io.flatnesslab.training.NetworkFactory;
import org.springframework.stereotype.Component;

/**
 * Checks of a spec that Bean Validation annotations cannot express: finite numbers, increasing
 * perturbation norms, the dataset and its size, unique group keys, the parameter budget, and
 * the imported model an experiment measures.
 */
@Component
class SpecValidator {

    private final DatasetCatalog datasets;

    private final ExperimentProperties properties;

    private final ModelService models;

    SpecValidator(DatasetCatalog datasets, ExperimentProperties properties, ModelService models) {
        this.datasets = datasets;
        this.properties = properties;
        this.models = models;
    }

    /** @throws InvalidRequestException listing every violation found */
    void validate(ExperimentSpec spec) {
        List<FieldViolation> violations = new ArrayList<>();

        if (!Double.isFinite(spec.training().learningRate())) {
            violations.add(new FieldViolation("training.learningRate", "must be a positive finite number, e.g. 0.1"));
        }
        List<Double> epsilons = spec.flatness().epsilons();
        for (int i = 0; i < epsilons.size(); i++) {
            Double epsilon = epsilons.get(i);
            Double previous = i == 0 ? null : epsilons.get(i - 1);
            if (epsilon != null && !Double.isFinite(epsilon)) {
                violations.add(new FieldViolation("flatness.epsilons[" + i + "]", "must be a positive finite number"));
            } else if (epsilon != null && previous != null && epsilon <= previous) {
                // Every ε reuses the same directions, so a repeated ε only measures the same
                // perturbations again; results list the norms in the order given, as the ε axis.
                violations.add(new FieldViolation("flatness.epsilons[" + i + "]", "must be larger than the previous value "
                        + previous + "; list the norms in increasing order without repeats, e.g. [0.01, 0.1]"));
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
        if (dataset != null && spec.measuresImportedModel()) {
            checkImportedModel(spec, dataset, violations);
        } else if (dataset != null) {
            checkBudget(spec, dataset, violations);
        }

        if (!violations.isEmpty()) {
            throw new InvalidRequestException("Invalid request", violations);
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

    private void checkImportedModel(ExperimentSpec spec, Dataset dataset, List<FieldViolation> violations) {
        ModelInfo model;
        try {
            model = models.get(spec.model());
        } catch (ModelNotFoundException e) {
            violations.add(new FieldViolation("model", "model " + spec.model() + " not found; GET /api/models lists the imported ones"));
            return;
        }
        if (model.inputSize() != dataset.inputSize()) {
            violations.add(new FieldViolation("dataset.name", "dataset '" + dataset.name() + "' has " + dataset.inputSize()
                    + " inputs but model " + model.id() + " (" + model.architecture() + ") expects " + model.inputSize()));
        }
        if (model.classCount() != dataset.classCount()) {
            violations.add(new FieldViolation("dataset.name", "dataset '" + dataset.name() + "' has " + dataset.classCount()
                    + " classes but model " + model.id() + " (" + model.architecture() + ") has " + model.classCount() + " outputs"));
        }
        if (spec.groups().size() != 1 || !model.hiddenLayers().equals(spec.groups().get(0).hiddenLayers())) {
            violations.add(new FieldViolation("groups", "must be a single group with hiddenLayers " + model.hiddenLayers()
                    + " to measure model " + model.id() + "; POST /api/models/" + model.id() + "/flatness fills it in"));
        }
        if (spec.runsPerGroup() != 1) {
            violations.add(new FieldViolation("runsPerGroup", "must be 1 to measure an imported model"));
        }
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
