package io.flatnesslab.experiment;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.flatnesslab.dataset.Dataset;
import io.flatnesslab.dataset.DatasetCatalog;
import io.flatnesslab.dataset.DatasetNotFoundException;
import io.flatnesslab.dataset.DatasetUnavailableException;
import io.flatnesslab.flatness.HessianSettings;
import io.flatnesslab.flatness.Precision;
import io.flatnesslab.snapshot.ModelInfo;
import io.flatnesslab.snapshot.ModelNotFoundException;
import io.flatnesslab.snapshot.ModelService;
import io.flatnesslab.training.NetworkFactory;
import org.springframework.stereotype.Component;

/**
 * Checks of a spec that Bean Validation annotations cannot express: finite numbers, increasing
 * perturbation norms, the dataset and its size, unique group keys, the parameter, work and
 * memory budgets, and the imported model an experiment measures.
 */
@Component
class SpecValidator {

    /** Largest magnitude of a slice, surface or interpolation grid value. */
    private static final double MAX_GRID = 1000;

    /**
     * Range of the reparameterization's α. Beyond it α·W or W/α of a trained network comes near
     * float32 overflow (3.4e38) or underflow, and the rescaled network no longer computes the
     * same function.
     */
    private static final double MIN_ALPHA = 1e-3;

    private static final double MAX_ALPHA = 1e3;

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
                // perturbations again. Results list the norms in the order given, as the ε axis.
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

        checkFurtherMeasures(spec, violations);

        Dataset dataset = checkDataset(spec.dataset(), violations);
        if (dataset != null && spec.measuresImportedModel()) {
            checkImportedModel(spec, dataset, violations);
        } else if (dataset != null) {
            checkBudget(spec, dataset, violations);
        }
        // The work and memory budgets are computed from the measures' settings, which exist only
        // for a spec that passed every other check.
        if (dataset != null && violations.isEmpty()) {
            checkWork(spec, spec.dataset().testSizeFor(dataset.size()), violations);
            checkMemory(spec, dataset, violations);
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
        } else if (spec.testSize() != null && spec.trainSize() + spec.testSize() > dataset.size()) {
            violations.add(new FieldViolation("dataset.testSize", "must be at most " + (dataset.size() - spec.trainSize())
                    + " because the test split is disjoint from the " + spec.trainSize() + " training examples of dataset '"
                    + dataset.name() + "' (" + dataset.size() + " examples); got " + spec.testSize()));
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

    /** Checks the settings of the measures beyond the random directions that annotations cannot express. */
    private void checkFurtherMeasures(ExperimentSpec spec, List<FieldViolation> violations) {
        FlatnessSpec flatness = spec.flatness();
        int trainSize = spec.dataset().trainSize();
        if (flatness.slice() != null) {
            checkGrid("flatness.slice", flatness.slice().min(), flatness.slice().max(), violations);
        }
        if (flatness.surface() != null) {
            checkGrid("flatness.surface", flatness.surface().min(), flatness.surface().max(), violations);
        }
        if (flatness.interpolation() != null) {
            checkGrid("flatness.interpolation", flatness.interpolation().min(), flatness.interpolation().max(), violations);
            if (spec.measuresImportedModel()) {
                checkInterpolationModel(spec, violations);
            } else if (flatness.interpolation().model() != null) {
                violations.add(new FieldViolation("flatness.interpolation.model", "is only for an experiment that "
                        + "measures an imported model; runs of a group are interpolated with each other, so leave it out"));
            } else if (spec.runsPerGroup() < 2) {
                violations.add(new FieldViolation("flatness.interpolation", "needs runsPerGroup of at least 2, because "
                        + "it interpolates between consecutive runs of a group; got " + spec.runsPerGroup()));
            }
        }
        if (flatness.worstCase() != null) {
            WorstCaseSpec worstCase = flatness.worstCase();
            checkFinite("flatness.worstCase.radius", worstCase.radius(), violations);
            checkFinite("flatness.worstCase.stepSize", worstCase.stepSize(), violations);
            checkBatches("flatness.worstCase", worstCase.batches(), worstCase.batchSizeFor(trainSize), trainSize, violations);
        }
        if (flatness.keskar() != null) {
            KeskarSpec keskar = flatness.keskar();
            checkFinite("flatness.keskar.epsilon", keskar.epsilon(), violations);
            checkFinite("flatness.keskar.stepSize", keskar.stepSize(), violations);
            checkBatches("flatness.keskar", keskar.batches(), keskar.batchSizeFor(trainSize), trainSize, violations);
        }
        if (flatness.hessian() != null) {
            HessianSpec hessian = flatness.hessian();
            checkFinite("flatness.hessian.tolerance", hessian.tolerance(), violations);
            checkFinite("flatness.hessian.finiteDifferenceStep", hessian.finiteDifferenceStep(), violations);
            if (hessian.examples() != null && hessian.examples() > trainSize) {
                violations.add(new FieldViolation("flatness.hessian.examples", "must be at most dataset.trainSize "
                        + trainSize + "; got " + hessian.examples()));
            }
            if (hessian.topK() == 0 && hessian.traceSamples() == 0 && hessian.densityVectors() == 0) {
                violations.add(new FieldViolation("flatness.hessian", "computes nothing with topK, traceSamples and "
                        + "densityVectors all 0; set at least one of them above 0 or leave hessian out"));
            }
            if (hessian.finiteDifferenceStep() != null && hessian.product() == HessianSettings.Product.EXACT) {
                violations.add(new FieldViolation("flatness.hessian.finiteDifferenceStep", "applies only to product "
                        + "CENTRAL_DIFFERENCE; EXACT products have no step, so leave it out or set product"));
            }
            if (hessian.method() == HessianSpec.HessianMethod.LANCZOS && hessian.topK() > hessian.maxIterations()) {
                violations.add(new FieldViolation("flatness.hessian.topK", "must be at most maxIterations "
                        + hessian.maxIterations() + " with method LANCZOS, which finds at most one eigenvalue per step"));
            }
        }
        if (flatness.pacBayes() != null) {
            PacBayesSpec pacBayes = flatness.pacBayes();
            checkFinite("flatness.pacBayes.sigmaMin", pacBayes.sigmaMin(), violations);
            checkFinite("flatness.pacBayes.sigmaMax", pacBayes.sigmaMax(), violations);
            if (pacBayes.sigmaMin() >= pacBayes.sigmaMax()) {
                violations.add(new FieldViolation("flatness.pacBayes.sigmaMax", "must be larger than sigmaMin "
                        + pacBayes.sigmaMin() + "; got " + pacBayes.sigmaMax()));
            }
        }
        if (flatness.reparameterization() != null) {
            ReparameterizationSpec rescaling = flatness.reparameterization();
            if (!(rescaling.alpha() >= MIN_ALPHA && rescaling.alpha() <= MAX_ALPHA)) {
                violations.add(new FieldViolation("flatness.reparameterization.alpha", "must be from " + MIN_ALPHA
                        + " to " + MAX_ALPHA + ", so that the rescaled float32 weights neither overflow nor underflow; got "
                        + rescaling.alpha()));
            }
            for (int i = 0; i < spec.groups().size(); i++) {
                GroupSpec group = spec.groups().get(i);
                if (group != null && group.hiddenLayers() != null && rescaling.layer() >= group.hiddenLayers().size()) {
                    violations.add(new FieldViolation("flatness.reparameterization.layer", "must be at most "
                            + (group.hiddenLayers().size() - 1) + " for group '" + group.key() + "', whose "
                            + (group.hiddenLayers().size() + 1) + " linear layers are numbered from 0 and the rescaled "
                            + "layer needs a following one; got " + rescaling.layer()));
                }
            }
        }
    }

    private void checkInterpolationModel(ExperimentSpec spec, List<FieldViolation> violations) {
        Long other = spec.flatness().interpolation().model();
        if (other == null) {
            violations.add(new FieldViolation("flatness.interpolation.model", "is required to interpolate an imported "
                    + "model, which is measured as a single run; give the id of a second imported model of the same "
                    + "architecture from GET /api/models"));
            return;
        }
        ModelInfo measured;
        ModelInfo target;
        try {
            measured = models.get(spec.model());
        } catch (ModelNotFoundException e) {
            // The check of the measured model reports this.
            return;
        }
        try {
            target = models.get(other);
        } catch (ModelNotFoundException e) {
            violations.add(new FieldViolation("flatness.interpolation.model", "model " + other
                    + " not found; GET /api/models lists the imported ones"));
            return;
        }
        if (!target.architecture().equals(measured.architecture())) {
            violations.add(new FieldViolation("flatness.interpolation.model", "model " + other + " is "
                    + target.architecture() + " but model " + measured.id() + " is " + measured.architecture()
                    + "; interpolation needs two models of the same architecture"));
        }
    }

    /**
     * Checks a grid's range. Grid values are multiples of a direction scaled to the parameters (or
     * of the step between two runs), so values beyond ±1000 only evaluate overflowed networks.
     */
    private static void checkGrid(String field, double min, double max, List<FieldViolation> violations) {
        boolean minInRange = Double.isFinite(min) && Math.abs(min) <= MAX_GRID;
        boolean maxInRange = Double.isFinite(max) && Math.abs(max) <= MAX_GRID;
        if (!minInRange) {
            violations.add(new FieldViolation(field + ".min", "must be a number from -" + (int) MAX_GRID + " to "
                    + (int) MAX_GRID + "; got " + min));
        }
        if (!maxInRange) {
            violations.add(new FieldViolation(field + ".max", "must be a number from -" + (int) MAX_GRID + " to "
                    + (int) MAX_GRID + "; got " + max));
        }
        if (!minInRange || !maxInRange) {
            return;
        }
        if (min >= max) {
            violations.add(new FieldViolation(field + ".max", "must be larger than min " + min + "; got " + max));
        }
    }

    private static void checkFinite(String field, Double value, List<FieldViolation> violations) {
        if (value != null && !Double.isFinite(value)) {
            violations.add(new FieldViolation(field, "must be a finite number; got " + value));
        }
    }

    private static void checkBatches(String field, int batches, int batchSize, int trainSize,
            List<FieldViolation> violations) {
        if ((long) batches * batchSize > trainSize) {
            violations.add(new FieldViolation(field + ".batchSize", "batches " + batches + " x batchSize " + batchSize
                    + " must be at most dataset.trainSize " + trainSize + ", because the minibatches are disjoint"));
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

    private void checkWork(ExperimentSpec spec, int testSize, List<FieldViolation> violations) {
        long sides = spec.flatness().twoSided() ? 2 : 1;
        long epochs = spec.measuresImportedModel() ? 0 : spec.training().maxEpochs();
        // Two baseline evaluations per run (float32 and float64) come on top of the perturbed ones.
        long passesPerExample = epochs + 2 + (long) spec.flatness().epsilons().size() * spec.flatness().directions() * sides;
        long classic = (long) spec.totalRuns() * passesPerExample * spec.dataset().trainSize();
        // The further measures count as example passes too, a gradient as three.
        double further = 0;
        for (Map<MeasureKind, MeasureCost> variant : MeasurePlan.perRun(spec, testSize).values()) {
            for (MeasureCost cost : variant.values()) {
                further += cost.costPerParameter();
            }
        }
        further = further * spec.totalRuns() + MeasurePlan.interpolations(spec).costPerParameter() * spec.groups().size();
        long work = classic + (long) Math.ceil(further);
        if (work > properties.maxWorkUnits()) {
            violations.add(new FieldViolation("runsPerGroup", String.format("the experiment needs %,d example passes "
                    + "(runs %d x (maxEpochs %d + 2 baselines + epsilons %d x directions %d x sides %d) x trainSize %d, "
                    + "plus %,d for the further measures, a gradient counting as 3), above the limit of %,d; lower "
                    + "runsPerGroup, training.maxEpochs, flatness.directions, flatness.epsilons, dataset.trainSize or the "
                    + "settings of the further measures, or raise flatnesslab.experiments.max-work-units", work,
                    spec.totalRuns(), epochs, spec.flatness().epsilons().size(), spec.flatness().directions(), sides,
                    spec.dataset().trainSize(), (long) Math.ceil(further), properties.maxWorkUnits())));
        }
    }

    private void checkMemory(ExperimentSpec spec, Dataset dataset, List<FieldViolation> violations) {
        long budget = properties.maxJobMemory() != null ? properties.maxJobMemory().toBytes()
                : JobMemory.defaultBudgetBytes();
        for (int i = 0; i < spec.groups().size(); i++) {
            GroupSpec group = spec.groups().get(i);
            if (group == null || group.hiddenLayers() == null || group.hiddenLayers().contains(null)) {
                continue;
            }
            long parameters = NetworkFactory.parameterCount(dataset.inputSize(), group.hiddenLayers(),
                    dataset.classCount());
            long base = JobMemory.estimateBytes(dataset.inputSize(), group.hiddenLayers(), dataset.classCount(),
                    spec.dataset().trainSize(), spec.flatness().precision());
            long needed = base + JobMemory.measureBytes(spec.flatness(), parameters);
            if (needed <= budget) {
                continue;
            }
            HessianSpec hessian = spec.flatness().hessian();
            long withoutHessian = base + JobMemory.measureBytesWithoutHessian(spec.flatness(), parameters);
            if (hessian != null && withoutHessian <= budget) {
                // Only the Hessian's stored Lanczos basis does not fit, so name the setting that sizes it.
                String field = hessian.method() == HessianSpec.HessianMethod.LANCZOS && hessian.topK() > 0
                        && hessian.maxIterations() >= hessian.lanczosSteps() ? "flatness.hessian.maxIterations"
                        : "flatness.hessian.lanczosSteps";
                violations.add(new FieldViolation(field, String.format("the Hessian of group '%s' keeps one "
                        + "parameter-sized vector (%,d MiB) per Lanczos step and needs about %,d MiB of off-heap memory "
                        + "in all, above the %,d MiB available; lower lanczosSteps (or densityVectors to 0), or "
                        + "maxIterations with method LANCZOS, or raise flatnesslab.experiments.max-job-memory",
                        group.key(), (4 * parameters) >> 20, needed >> 20, budget >> 20)));
                continue;
            }
            violations.add(new FieldViolation("groups[" + i + "].hiddenLayers", String.format("a run of this group "
                    + "needs about %,d MiB of off-heap memory with trainSize %d%s, above the %,d MiB available; use "
                    + "narrower layers or a smaller dataset.trainSize%s, or raise flatnesslab.experiments.max-job-memory",
                    needed >> 20, spec.dataset().trainSize(),
                    spec.flatness().precision() == Precision.DOUBLE ? " and precision DOUBLE" : "",
                    budget >> 20,
                    spec.flatness().precision() == Precision.DOUBLE ? ", precision FLOAT" : "")));
        }
    }

    private static String joinWidths(List<Integer> widths) {
        return String.join("-", widths.stream().map(String::valueOf).toList());
    }
}
