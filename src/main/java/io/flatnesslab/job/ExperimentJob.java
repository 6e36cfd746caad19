package io.flatnesslab.job;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import io.flatnesslab.dataset.Dataset;
import io.flatnesslab.dataset.DatasetCatalog;
import io.flatnesslab.dataset.LabeledData;
import io.flatnesslab.experiment.ExperimentLifecycle;
import io.flatnesslab.experiment.ExperimentSpec;
import io.flatnesslab.experiment.GroupSpec;
import io.flatnesslab.experiment.LabelMode;
import io.flatnesslab.experiment.ProgressUpdate;
import io.flatnesslab.experiment.RunCheckpointState;
import io.flatnesslab.experiment.RunCheckpointState.Stage;
import io.flatnesslab.experiment.RunRecord;
import io.flatnesslab.flatness.DirectionIncreases;
import io.flatnesslab.flatness.FlatnessMeasurement;
import io.flatnesslab.flatness.FlatnessMeter;
import io.flatnesslab.flatness.MeasurementListener;
import io.flatnesslab.flatness.RandomDirections;
import io.flatnesslab.snapshot.ModelInfo;
import io.flatnesslab.snapshot.ModelNotFoundException;
import io.flatnesslab.snapshot.ModelService;
import io.flatnesslab.snapshot.SnapshotInfo;
import io.flatnesslab.snapshot.SnapshotStore;
import io.flatnesslab.training.EpochStats;
import io.flatnesslab.training.NetworkFactory;
import io.flatnesslab.training.Tensors;
import io.flatnesslab.training.Trainer;
import io.flatnesslab.training.TrainingCancelledException;
import io.flatnesslab.training.TrainingOutcome;
import io.flatnesslab.training.TrainingSettings;
import io.flatnesslab.training.TrainingStart;
import jakarta.annotation.PreDestroy;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Pipeline of one experiment, run on an executor thread: sample the training subset, then for
 * every group and run train a fresh network, store its parameters, measure its loss increases
 * and record the run. An experiment of an imported model loads that model in place of training.
 *
 * <p>One subset and one set of random labels serve all groups. Each group trains and is
 * measured on its own data: NATURAL groups on the dataset's labels, RANDOM groups on the
 * random labels. Every random stream comes from {@link Seeds#derive} with the experiment seed
 * and the unit it serves (subset, labels, and per run: initialization, the order of each epoch,
 * each direction), never from how far a shared generator has advanced.
 *
 * <p>Units are saved as they complete: a stored run, the parameters of a run in training at
 * most every {@code flatnesslab.jobs.checkpoint-interval} and after its last epoch, and every
 * measured direction. A job that finds saved units (after a crash or a shutdown) continues from
 * them, and because every stream depends only on its unit, its results equal those of an
 * uninterrupted job. A cancel request stops the job within one training step or one loss
 * evaluation. A shutdown lets the current epoch or direction finish, saves it, and puts the
 * experiment back in the queue.
 */
@Component
class ExperimentJob {

    private static final Logger log = LoggerFactory.getLogger(ExperimentJob.class);

    private final ExperimentLifecycle lifecycle;

    private final DatasetCatalog datasets;

    private final SnapshotStore snapshots;

    private final ModelService models;

    private final TransactionTemplate transactions;

    private final Duration checkpointInterval;

    /**
     * Writer of trained parameters, so that serializing and storing a run's snapshot (about 4 s
     * for 784-5000-5000-10) overlaps with measuring it.
     */
    private final ExecutorService snapshotWriter = Executors.newSingleThreadExecutor(runnable -> {
        Thread thread = new Thread(runnable, "snapshot-writer");
        thread.setDaemon(true);
        return thread;
    });

    ExperimentJob(ExperimentLifecycle lifecycle, DatasetCatalog datasets, SnapshotStore snapshots, ModelService models,
            TransactionTemplate transactions, JobProperties properties) {
        this.lifecycle = lifecycle;
        this.datasets = datasets;
        this.snapshots = snapshots;
        this.models = models;
        this.transactions = transactions;
        this.checkpointInterval = properties.checkpointInterval();
    }

    @PreDestroy
    void stopSnapshotWriter() {
        snapshotWriter.shutdown();
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
        Set<String> finished = lifecycle.finishedRuns(id);
        log.info("Experiment {} started: {} runs, {} stored before, seed {}", id, spec.totalRuns(), finished.size(),
                spec.seed());

        int runsDone = finished.size();
        try {
            // Nothing here draws from ND4J's thread-local generator, but DL4J internals may.
            Nd4j.getRandom().setSeed(Seeds.derive(spec.seed(), "nd4j-thread"));

            PreparedData data = prepare(id, spec);
            ProgressTracker progress = new ProgressTracker(spec, parameterCounts(spec, data), !spec.measuresImportedModel(),
                    data.testSize());
            for (GroupSpec group : spec.groups()) {
                for (int run = 0; run < spec.runsPerGroup(); run++) {
                    if (finished.contains(group.key() + "#" + run)) {
                        progress.runRestored(group.key());
                        continue;
                    }
                    if (token.isShutdown()) {
                        throw new JobSuspendedException();
                    }
                    new RunJob(id, spec, group, run, data, token, progress).run();
                    runsDone++;
                }
                new GroupInterpolations(lifecycle, snapshots, models, id, spec, group, trainingData(group, data), progress, token)
                        .run();
            }

            lifecycle.succeed(id);
            log.info("Experiment {} succeeded: {} runs in {} s", id, runsDone, seconds(started));
        } catch (JobSuspendedException e) {
            lifecycle.suspend(id);
            log.info("Experiment {} suspended by shutdown after {} of {} runs; it continues from its saved units at "
                    + "the next start", id, runsDone, spec.totalRuns());
        } catch (TrainingCancelledException e) {
            if (token.isShutdown()) {
                // Interrupted mid-unit because shutdown could not wait, so the work since the
                // last saved unit is repeated at the next start.
                lifecycle.suspend(id);
                log.warn("Experiment {} interrupted by shutdown after {} runs; it continues from its last saved unit at "
                        + "the next start", id, runsDone);
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
        lifecycle.progress(id, new ProgressUpdate("PREPARING_DATA", null, null, null, null, null, 0, 0, null));
        Dataset dataset = datasets.get(spec.dataset().name());

        int[] indices = TrainingSubset.sample(dataset.size(), spec.dataset().trainSize(), Seeds.derive(spec.seed(), "subset"));
        boolean anyRandom = spec.groups().stream().anyMatch(group -> group.labels() == LabelMode.RANDOM);
        int[] randomLabels = anyRandom
                ? TrainingSubset.randomLabels(indices.length, dataset.classCount(), Seeds.derive(spec.seed(), "random-labels"))
                : null;
        int testSize = spec.dataset().testSizeFor(dataset.size());
        int[] testIndices = testSize == 0 ? new int[0]
                : TrainingSubset.sampleExcluding(dataset.size(), indices, testSize, Seeds.derive(spec.seed(), "test-split"));
        lifecycle.recordTrainingData(id, indices, randomLabels, testIndices);

        LabeledData natural = dataset.select(indices);
        LabeledData random = anyRandom ? natural.withLabels(randomLabels) : null;
        LabeledData test = testSize == 0 ? null : dataset.select(testIndices);
        log.info("Experiment {} data ready: {} training and {} test examples of {} ({} classes){}", id, indices.length,
                testSize, dataset.name(), dataset.classCount(), anyRandom ? ", random labels drawn" : "");
        return new PreparedData(natural, random, test);
    }

    private static LabeledData trainingData(GroupSpec group, PreparedData data) {
        return group.labels() == LabelMode.RANDOM ? data.random() : data.natural();
    }

    private static Map<String, Long> parameterCounts(ExperimentSpec spec, PreparedData data) {
        Map<String, Long> counts = new LinkedHashMap<>();
        for (GroupSpec group : spec.groups()) {
            counts.put(group.key(), NetworkFactory.parameterCount(data.natural().inputSize(), group.hiddenLayers(),
                    data.natural().classCount()));
        }
        return counts;
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

    /**
     * The examples of an experiment.
     *
     * @param test the held-out test split with the dataset's labels, or null without one
     */
    private record PreparedData(LabeledData natural, LabeledData random, LabeledData test) {

        int testSize() {
            return test == null ? 0 : test.size();
        }
    }

    /** One run of one group: train or load, save, measure, record. */
    private final class RunJob {

        private final long id;

        private final ExperimentSpec spec;

        private final GroupSpec group;

        private final int run;

        private final String unit;

        private final LabeledData trainingData;

        private final LabeledData testData;

        private final CancellationToken token;

        private final ProgressTracker progress;

        private final long parameterCount;

        RunJob(long id, ExperimentSpec spec, GroupSpec group, int run, PreparedData data, CancellationToken token,
                ProgressTracker progress) {
            this.id = id;
            this.spec = spec;
            this.group = group;
            this.run = run;
            this.unit = group.key() + "#" + run;
            this.trainingData = trainingData(group, data);
            this.testData = data.test();
            this.token = token;
            this.progress = progress;
            this.parameterCount = NetworkFactory.parameterCount(trainingData.inputSize(), group.hiddenLayers(),
                    trainingData.classCount());
        }

        void run() {
            int directions = spec.flatness().directions();
            Optional<RunCheckpointState> saved = lifecycle.checkpoint(id, group.key(), run, directions);
            log.info("Experiment {} run {} started: hidden layers {}, {} labels, {} parameters{}", id, unit,
                    group.hiddenLayers(), group.labels(), parameterCount,
                    saved.map(state -> ", resumed from " + describe(state)).orElse(""));

            Trained trained = saved.filter(state -> state.stage() == Stage.TRAINED)
                    .map(this::restoreTrained)
                    .orElseGet(() -> train(saved.orElse(null)));
            try {
                measureAndRecord(trained, saved.filter(state -> state.stage() == Stage.TRAINED).orElse(null));
            } finally {
                // A cancelled or failed run must not end while its snapshot is still being saved,
                // because the cleanup that follows deletes the saved state and must see all of it.
                trained.snapshot().exceptionally(error -> null).join();
                trained.network().close();
            }
        }

        private Trained restoreTrained(RunCheckpointState state) {
            progress.epochsSkipped(group.key(), trainsNetworks() ? spec.training().maxEpochs() : 0);
            report("LOADING_MODEL", null, null, null);
            MultiLayerNetwork network = snapshots.loadNetwork(state.snapshotId());
            TrainingOutcome outcome = trainsNetworks() ? outcome(state.training()) : Trainer.evaluate(network, trainingData);
            return new Trained(network, outcome, state.trainingSeconds(), CompletableFuture.completedFuture(state.snapshotId()));
        }

        private Trained train(RunCheckpointState state) {
            long started = System.nanoTime();
            if (!trainsNetworks()) {
                report("LOADING_MODEL", null, null, null);
                MultiLayerNetwork network = snapshots.loadNetwork(importedModel(spec.model()).snapshotId());
                TrainingOutcome outcome = Trainer.evaluate(network, trainingData);
                CompletableFuture<Long> snapshot = saveInBackground(network, start(outcome), seconds(started));
                return new Trained(network, outcome, seconds(started), snapshot);
            }

            MultiLayerNetwork network;
            TrainingStart start;
            double secondsBefore;
            if (state == null) {
                network = NetworkFactory.build(trainingData.inputSize(), group.hiddenLayers(), trainingData.classCount(),
                        spec.training().learningRate(), Seeds.derive(spec.seed(), "init", group.key(), run));
                start = TrainingStart.FRESH;
                secondsBefore = 0;
            } else {
                network = snapshots.loadNetwork(state.snapshotId());
                start = state.training();
                secondsBefore = state.trainingSeconds();
                progress.epochsSkipped(group.key(), start.epochsDone());
            }
            report("TRAINING", start.epochsDone(), null, null);

            TrainingSettings settings = new TrainingSettings(spec.training().learningRate(), spec.training().batchSize(),
                    spec.training().maxEpochs(), spec.training().stopAtFullTrainAccuracy());
            EpochCheckpoints checkpoints = new EpochCheckpoints(network, start, started, secondsBefore);
            TrainingOutcome outcome = Trainer.train(network, trainingData, settings, start,
                    epoch -> Seeds.derive(spec.seed(), "shuffle", group.key(), run, epoch), token::isCancelRequested,
                    checkpoints);
            progress.epochsSkipped(group.key(), spec.training().maxEpochs() - outcome.epochsTrained());

            double trainingSeconds = Math.round((secondsBefore + seconds(started)) * 1e3) / 1e3;
            log.info("Experiment {} run {} trained: {} epochs, train accuracy {}, full accuracy {}, {} s", id, unit,
                    outcome.epochsTrained(), outcome.finalTrainAccuracy(), outcome.reachedFullTrainAccuracy(),
                    trainingSeconds);
            CompletableFuture<Long> snapshot = saveInBackground(network, start(outcome), trainingSeconds);
            return new Trained(network, outcome, trainingSeconds, snapshot);
        }

        private void measureAndRecord(Trained trained, RunCheckpointState state) {
            int directions = spec.flatness().directions();
            int evaluationsPerDirection = spec.flatness().epsilons().size() * (spec.flatness().twoSided() ? 2 : 1);
            DirectionIncreases[] done = state == null ? new DirectionIncreases[directions] : state.measured().clone();
            for (DirectionIncreases measured : done) {
                if (measured != null) {
                    progress.evaluationsSkipped(group.key(), evaluationsPerDirection);
                }
            }
            report("MEASURING", trained.outcome().epochsTrained(), null, null);

            long started = System.nanoTime();
            DataSet measured = Tensors.dataSet(trainingData);
            double[] epsilons = spec.flatness().epsilons().stream().mapToDouble(Double::doubleValue).toArray();
            DirectionSaver saver = new DirectionSaver(state == null ? null : state.baselineLoss(),
                    trained.outcome().epochsTrained(), trained.snapshot());
            FlatnessMeasurement measurement;
            try (DirectionSource source = DirectionSource.of(spec, group.key(), run, trained.network())) {
                measurement = FlatnessMeter.measure(trained.network(), measured, epsilons, directions, source,
                        spec.flatness().twoSided(), spec.flatness().precision(), done, saver, token::isCancelRequested);
            }
            new FurtherMeasures(lifecycle, id, spec, group.key(), run, progress, token,
                    testData == null ? 0 : testData.size())
                    .run(trained.network(), measured, testData == null ? null : Tensors.dataSet(testData));
            long snapshotId = awaitSnapshot(trained.snapshot());
            double measuringSeconds = seconds(started);
            log.info("Experiment {} run {} measured: baseline loss {} ({}), float32 round-off {}, {} directions x {} "
                            + "epsilons{}, {} s", id, unit, measurement.baselineLoss(), spec.flatness().precision(),
                    measurement.float32RoundOff(), directions, epsilons.length,
                    spec.flatness().twoSided() ? " two-sided" : "", measuringSeconds);

            long runId = lifecycle.recordRun(id, new RunRecord(group.key(), run, parameterCount, trained.outcome(),
                    measurement, trained.trainingSeconds(), measuringSeconds, snapshotId));
            log.info("Experiment {} run {} stored as run id {} with snapshot {}", id, unit, runId, snapshotId);
        }

        /**
         * Saves a copy of the trained parameters as stage TRAINED on the snapshot writer, while
         * the caller goes on to measure (and so perturb) the original.
         */
        private CompletableFuture<Long> saveInBackground(MultiLayerNetwork network, TrainingStart training,
                double trainingSeconds) {
            MultiLayerNetwork copy = network.clone();
            return CompletableFuture.supplyAsync(() -> {
                try {
                    return saveParameters(copy, Stage.TRAINED, training, trainingSeconds);
                } finally {
                    copy.close();
                }
            }, snapshotWriter);
        }

        private static long awaitSnapshot(CompletableFuture<Long> snapshot) {
            try {
                return snapshot.join();
            } catch (CompletionException e) {
                if (e.getCause() instanceof RuntimeException cause) {
                    throw cause;
                }
                throw e;
            }
        }

        /** Stores the parameters and points the run's checkpoint at them, in one transaction. */
        private long saveParameters(MultiLayerNetwork network, Stage stage, TrainingStart training, double trainingSeconds) {
            long started = System.nanoTime();
            SnapshotInfo snapshot = transactions.execute(status -> {
                SnapshotInfo stored = snapshots.store(network);
                lifecycle.saveParameters(id, group.key(), run, stage, training, trainingSeconds, stored.id());
                return stored;
            });
            log.info("Experiment {} run {} saved {} after {} epochs: snapshot {} ({} bytes, sha256 {}) in {} s", id, unit,
                    stage, training.epochsDone(), snapshot.id(), snapshot.sizeBytes(), snapshot.sha256(), seconds(started));
            return snapshot.id();
        }

        private boolean trainsNetworks() {
            return !spec.measuresImportedModel();
        }

        private void report(String phase, Integer epoch, Integer direction, Integer epsilonIndex) {
            lifecycle.progress(id, new ProgressUpdate(phase, group.key(), run, epoch, direction, epsilonIndex,
                    progress.unitsDone(), progress.unitsTotal(), progress.secondsRemaining()));
        }

        private String describe(RunCheckpointState state) {
            long measured = Arrays.stream(state.measured()).filter(Objects::nonNull).count();
            return state.stage() == Stage.TRAINING
                    ? "epoch " + state.training().epochsDone()
                    : "trained parameters with " + measured + " of " + state.measured().length + " directions measured";
        }

        private static TrainingStart start(TrainingOutcome outcome) {
            return new TrainingStart(outcome.history().size(), outcome.history(), outcome.reachedFullTrainAccuracy());
        }

        private static TrainingOutcome outcome(TrainingStart training) {
            int epochs = training.epochsDone();
            double accuracy = epochs == 0 ? 0 : training.history().get(epochs - 1).accuracy();
            return new TrainingOutcome(epochs, accuracy, training.reachedFullTrainAccuracy(), training.history());
        }

        /**
         * Saves the parameters after an epoch when the checkpoint interval has passed or a
         * shutdown waits, and ends training at that epoch for the shutdown.
         */
        private final class EpochCheckpoints implements Trainer.EpochListener {

            private final MultiLayerNetwork network;

            private final List<EpochStats> history;

            private final long started;

            private final double secondsBefore;

            private long lastSaved;

            EpochCheckpoints(MultiLayerNetwork network, TrainingStart start, long started, double secondsBefore) {
                this.network = network;
                this.history = new ArrayList<>(start.history());
                this.started = started;
                this.secondsBefore = secondsBefore;
                this.lastSaved = started;
            }

            @Override
            public void onEpoch(EpochStats stats, boolean full, boolean last) {
                history.add(stats);
                progress.epochTrained(group.key());
                report("TRAINING", stats.epoch(), null, null);
                log.debug("Experiment {} run {} epoch {}: loss {}, accuracy {}", id, unit, stats.epoch(), stats.meanLoss(),
                        stats.accuracy());
                if (last) {
                    // The caller saves the trained parameters as stage TRAINED.
                    return;
                }

                boolean due = System.nanoTime() - lastSaved >= checkpointInterval.toNanos();
                if (due || token.isShutdown()) {
                    saveParameters(network, Stage.TRAINING, new TrainingStart(history.size(), history, full),
                            secondsBefore + seconds(started));
                    lastSaved = System.nanoTime();
                }
                if (token.isShutdown()) {
                    throw new JobSuspendedException();
                }
            }
        }

        /**
         * Saves every measured direction and reports progress per ε. Until the trained
         * parameters are stored (in the background), the run has no checkpoint to attach
         * directions to, so they wait in memory and are saved as soon as it exists.
         */
        private final class DirectionSaver implements MeasurementListener {

            private final Double savedBaseline;

            private final int epochs;

            private final CompletableFuture<Long> snapshot;

            private final Map<Integer, DirectionIncreases> waiting = new LinkedHashMap<>();

            private Double unsavedBaseline;

            DirectionSaver(Double savedBaseline, int epochs, CompletableFuture<Long> snapshot) {
                this.savedBaseline = savedBaseline;
                this.epochs = epochs;
                this.snapshot = snapshot;
            }

            @Override
            public void onBaseline(double baseline, double float32Loss, double float64Loss) {
                progress.evaluated(group.key(), 2);
                if (savedBaseline == null) {
                    unsavedBaseline = baseline;
                    saveIfStored(false);
                } else if (savedBaseline != baseline) {
                    // The stored directions were measured against the saved baseline. A
                    // different value means the loss evaluation is not reproducible here.
                    log.warn("Experiment {} run {} resumed with baseline loss {} but measured its first directions "
                            + "against {}; the increases of both parts may differ slightly", id, unit, baseline,
                            savedBaseline);
                }
            }

            @Override
            public void onEvaluation(int k, int epsilonIndex) {
                progress.evaluated(group.key(), spec.flatness().twoSided() ? 2 : 1);
                report("MEASURING", epochs, k, epsilonIndex);
            }

            @Override
            public void onDirection(int k, DirectionIncreases increases) {
                waiting.put(k, increases);
                boolean suspend = token.isShutdown() && k + 1 < spec.flatness().directions();
                saveIfStored(suspend);
                if (suspend) {
                    throw new JobSuspendedException();
                }
            }

            /** Saves what waits once the snapshot is stored, or at once after waiting for it. */
            private void saveIfStored(boolean wait) {
                if (!wait && !snapshot.isDone()) {
                    return;
                }
                awaitSnapshot(snapshot);
                int directions = spec.flatness().directions();
                if (unsavedBaseline != null) {
                    lifecycle.saveBaseline(id, group.key(), run, directions, unsavedBaseline);
                    unsavedBaseline = null;
                }
                waiting.forEach((k, increases) -> lifecycle.saveDirection(id, group.key(), run, directions, k, increases));
                waiting.clear();
            }
        }
    }

    /** A trained network and its snapshot, which may still be being stored. */
    private record Trained(MultiLayerNetwork network, TrainingOutcome outcome, double trainingSeconds,
            CompletableFuture<Long> snapshot) {
    }
}
