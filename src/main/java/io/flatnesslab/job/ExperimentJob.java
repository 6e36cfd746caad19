package io.flatnesslab.job;

import java.util.Optional;

import io.flatnesslab.dataset.Dataset;
import io.flatnesslab.dataset.DatasetCatalog;
import io.flatnesslab.dataset.LabeledData;
import io.flatnesslab.experiment.ExperimentLifecycle;
import io.flatnesslab.experiment.ExperimentSpec;
import io.flatnesslab.experiment.GroupSpec;
import io.flatnesslab.experiment.LabelMode;
import io.flatnesslab.experiment.RunRecord;
import io.flatnesslab.flatness.FlatnessMeasurement;
import io.flatnesslab.flatness.FlatnessMeter;
import io.flatnesslab.flatness.RandomDirections;
import io.flatnesslab.snapshot.ModelInfo;
import io.flatnesslab.snapshot.ModelNotFoundException;
import io.flatnesslab.snapshot.ModelService;
import io.flatnesslab.snapshot.SnapshotInfo;
import io.flatnesslab.snapshot.SnapshotStore;
import io.flatnesslab.training.NetworkFactory;
import io.flatnesslab.training.Tensors;
import io.flatnesslab.training.Trainer;
import io.flatnesslab.training.TrainingCancelledException;
import io.flatnesslab.training.TrainingOutcome;
import io.flatnesslab.training.TrainingSettings;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Pipeline of one experiment, run on an executor thread: sample the training subset, then for
 * every group and run train a fresh network, measure its loss increases, store its parameters
 * and record the run. An experiment of an imported model loads that model in place of training.
 *
 * <p>One subset and one set of random labels serve all groups. Each group trains and is
 * measured on its own data: NATURAL groups on the dataset's labels, RANDOM groups on the
 * random labels. Every random stream comes from {@link Seeds#derive} with the experiment seed.
 */
@Component
class ExperimentJob {

    private static final Logger log = LoggerFactory.getLogger(ExperimentJob.class);

    private final ExperimentLifecycle lifecycle;

    private final DatasetCatalog datasets;

    private final SnapshotStore snapshots;

    private final ModelService models;

    ExperimentJob(ExperimentLifecycle lifecycle, DatasetCatalog datasets, SnapshotStore snapshots, ModelService models) {
        this.lifecycle = lifecycle;
        this.datasets = datasets;
        this.snapshots = snapshots;
        this.models = models;
    }

    /** Runs experiment {@code id} if it is still QUEUED, and records how it ended. */
    void run(long id, CancellationToken token) {
        Optional<ExperimentSpec> claimed = lifecycle.claim(id);
        if (claimed.isEmpty()) {
            log.info("Experiment {} skipped: it is no longer QUEUED", id);
            return;
        }
        ExperimentSpec spec = claimed.get();
        long started = System.nanoTime();
        log.info("Experiment {} started: {} runs, seed {}", id, spec.totalRuns(), spec.seed());

        int runsDone = 0;
        try {
            // Nothing here draws from ND4J's thread-local generator, but DL4J internals may.
            Nd4j.getRandom().setSeed(Seeds.derive(spec.seed(), "nd4j-thread"));

            PreparedData data = prepare(id, spec);
            for (GroupSpec group : spec.groups()) {
                for (int run = 0; run < spec.runsPerGroup(); run++) {
                    runOne(id, spec, group, run, data, token);
                    runsDone++;
                }
            }

            lifecycle.succeed(id);
            log.info("Experiment {} succeeded: {} runs in {} s", id, runsDone, seconds(started));
        } catch (TrainingCancelledException e) {
            if (token.isShutdown()) {
                lifecycle.fail(id, "interrupted by the application shutting down after " + runsDone + " of "
                        + spec.totalRuns() + " runs; submit the spec again to rerun it");
                log.warn("Experiment {} interrupted by shutdown after {} runs and {} s", id, runsDone, seconds(started));
            } else {
                lifecycle.cancelled(id);
                log.info("Experiment {} cancelled after {} runs and {} s", id, runsDone, seconds(started));
            }
        } catch (OutOfMemoryError e) {
            log.error("Experiment {} ran out of memory after {} runs", id, runsDone, e);
            lifecycle.fail(id, "out of memory (" + e.getMessage() + "); give the JVM more heap or off-heap memory "
                    + "(-Xmx, -Dorg.bytedeco.javacpp.maxbytes) or lower flatnesslab.experiments.max-parameters");
        } catch (RuntimeException e) {
            log.error("Experiment {} failed after {} runs and {} s", id, runsDone, seconds(started), e);
            lifecycle.fail(id, e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    private PreparedData prepare(long id, ExperimentSpec spec) {
        lifecycle.progress(id, "PREPARING_DATA", null, null, null);
        Dataset dataset = datasets.get(spec.dataset().name());

        int[] indices = TrainingSubset.sample(dataset.size(), spec.dataset().trainSize(), Seeds.derive(spec.seed(), "subset"));
        boolean anyRandom = spec.groups().stream().anyMatch(group -> group.labels() == LabelMode.RANDOM);
        int[] randomLabels = anyRandom
                ? TrainingSubset.randomLabels(indices.length, dataset.classCount(), Seeds.derive(spec.seed(), "random-labels"))
                : null;
        lifecycle.recordTrainingData(id, indices, randomLabels);

        LabeledData natural = dataset.select(indices);
        LabeledData random = anyRandom ? natural.withLabels(randomLabels) : null;
        log.info("Experiment {} data ready: {} examples of {} ({} classes){}", id, indices.length, dataset.name(),
                dataset.classCount(), anyRandom ? ", random labels drawn" : "");
        return new PreparedData(natural, random);
    }

    private void runOne(long id, ExperimentSpec spec, GroupSpec group, int run, PreparedData data,
            CancellationToken token) {
        String unit = group.key() + "#" + run;
        LabeledData trainingData = group.labels() == LabelMode.RANDOM ? data.random() : data.natural();
        long parameterCount = NetworkFactory.parameterCount(trainingData.inputSize(), group.hiddenLayers(),
                trainingData.classCount());
        log.info("Experiment {} run {} started: hidden layers {}, {} labels, {} parameters", id, unit,
                group.hiddenLayers(), group.labels(), parameterCount);

        long trainingStarted = System.nanoTime();
        MultiLayerNetwork network;
        TrainingOutcome outcome;
        if (spec.measuresImportedModel()) {
            lifecycle.progress(id, "LOADING_MODEL", group.key(), run, null);
            network = snapshots.loadNetwork(importedModel(spec.model()).snapshotId());
            outcome = Trainer.evaluate(network, trainingData);
        } else {
            lifecycle.progress(id, "TRAINING", group.key(), run, 0);
            network = NetworkFactory.build(trainingData.inputSize(), group.hiddenLayers(), trainingData.classCount(),
                    spec.training().learningRate(), Seeds.derive(spec.seed(), "init", group.key(), run));
            TrainingSettings settings = new TrainingSettings(spec.training().learningRate(), spec.training().batchSize(),
                    spec.training().maxEpochs(), spec.training().stopAtFullTrainAccuracy());
            outcome = Trainer.train(network, trainingData, settings, Seeds.derive(spec.seed(), "shuffle", group.key(), run),
                    token::shouldStop, stats -> {
                        lifecycle.progress(id, "TRAINING", group.key(), run, stats.epoch());
                        log.debug("Experiment {} run {} epoch {}: loss {}, accuracy {}", id, unit, stats.epoch(),
                                stats.meanLoss(), stats.accuracy());
                    });
        }
        double trainingSeconds = seconds(trainingStarted);
        log.info("Experiment {} run {} ready: {} epochs trained, train accuracy {}, full accuracy {}, {} s", id, unit,
                outcome.epochsTrained(), outcome.finalTrainAccuracy(), outcome.reachedFullTrainAccuracy(), trainingSeconds);

        lifecycle.progress(id, "MEASURING", group.key(), run, null);
        long measuringStarted = System.nanoTime();
        DataSet measured = Tensors.dataSet(trainingData);
        double[] epsilons = spec.flatness().epsilons().stream().mapToDouble(Double::doubleValue).toArray();
        FlatnessMeasurement measurement = FlatnessMeter.measure(network, measured, epsilons,
                spec.flatness().directions(),
                (k, direction) -> RandomDirections.sampleUnit(direction, Seeds.derive(spec.seed(), "direction", group.key(), run, k)),
                spec.flatness().twoSided(), spec.flatness().precision(), token::shouldStop);
        double measuringSeconds = seconds(measuringStarted);
        log.info("Experiment {} run {} measured: baseline loss {} ({}), float32 round-off {}, {} directions x {} epsilons{}, {} s",
                id, unit, measurement.baselineLoss(), spec.flatness().precision(), measurement.float32RoundOff(),
                spec.flatness().directions(), epsilons.length, spec.flatness().twoSided() ? " two-sided" : "", measuringSeconds);

        lifecycle.progress(id, "STORING", group.key(), run, null);
        long storingStarted = System.nanoTime();
        SnapshotInfo snapshot = snapshots.store(network);
        long runId = lifecycle.recordRun(id, new RunRecord(group.key(), run, parameterCount, outcome, measurement,
                trainingSeconds, measuringSeconds, snapshot.id()));
        log.info("Experiment {} run {} stored as run id {}: snapshot {} ({} bytes, sha256 {}) in {} s", id, unit,
                runId, snapshot.id(), snapshot.sizeBytes(), snapshot.sha256(), seconds(storingStarted));

        network.close();
    }

    private ModelInfo importedModel(long modelId) {
        try {
            return models.get(modelId);
        } catch (ModelNotFoundException e) {
            throw new IllegalStateException("imported model " + modelId + " was deleted before this experiment ran; "
                    + "import it again and resubmit", e);
        }
    }

    private static double seconds(long startedNanos) {
        return Math.round((System.nanoTime() - startedNanos) / 1e6) / 1e3;
    }

    private record PreparedData(LabeledData natural, LabeledData random) {
    }
}
