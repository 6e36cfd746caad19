package io.flatnesslab.experiment;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import io.flatnesslab.flatness.DirectionIncreases;
import io.flatnesslab.flatness.FlatnessMeasurement;
import io.flatnesslab.snapshot.SnapshotStore;
import io.flatnesslab.training.EpochStats;
import io.flatnesslab.training.TrainingStart;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * State changes of an experiment while a job runs it. Each method commits on its own, so a
 * dashboard polling the experiment reads progress as it happens, and a crash loses at most the
 * unit in progress: the epochs since the last saved checkpoint, or one direction.
 */
@Service
public class ExperimentLifecycle {

    private static final TypeReference<List<EpochStats>> EPOCH_HISTORY = new TypeReference<>() {
    };

    private final ExperimentRepository experiments;

    private final TrainingRunRepository runs;

    private final FlatnessResultRepository results;

    private final RunCheckpointRepository checkpoints;

    private final RunMeasureRepository measures;

    private final SnapshotStore snapshots;

    private final ApplicationEventPublisher events;

    private final JsonMapper json;

    private final Clock clock;

    ExperimentLifecycle(ExperimentRepository experiments, TrainingRunRepository runs, FlatnessResultRepository results,
            RunCheckpointRepository checkpoints, RunMeasureRepository measures, SnapshotStore snapshots, ApplicationEventPublisher events,
            JsonMapper json, Clock clock) {
        this.experiments = experiments;
        this.runs = runs;
        this.results = results;
        this.checkpoints = checkpoints;
        this.measures = measures;
        this.snapshots = snapshots;
        this.events = events;
        this.json = json;
        this.clock = clock;
    }

    /**
     * Moves a QUEUED experiment to RUNNING and returns its spec, or returns empty when the
     * experiment is gone or no longer QUEUED (for example cancelled while waiting). An
     * experiment whose cancellation was requested before a crash is CANCELLED here instead.
     */
    @Transactional
    public Optional<ExperimentSpec> claim(long id) {
        if (experiments.transition(id, ExperimentStatus.QUEUED, ExperimentStatus.RUNNING) == 0) {
            return Optional.empty();
        }
        Experiment experiment = experiments.findById(id).orElseThrow();
        if (experiment.isCancelRequested()) {
            finish(id, ExperimentStatus.CANCELLED, null);
            return Optional.empty();
        }
        experiment.start(clock.instant());
        changed(id);
        return Optional.of(json.readValue(experiment.getSpecJson(), ExperimentSpec.class));
    }

    /** Ids of QUEUED experiments, oldest first. */
    @Transactional(readOnly = true)
    public List<Long> queued() {
        return experiments.findByStatusOrderByCreatedAtAscIdAsc(ExperimentStatus.QUEUED).stream()
                .map(Experiment::getId)
                .toList();
    }

    /**
     * Re-queues every RUNNING experiment, which a process that died left behind, so that it
     * continues from its saved units. One whose last {@code maxRecoveries} recoveries in a row
     * each found it no further than before is FAILED instead, so that an experiment that kills
     * the process at the same point (for example by exhausting memory) cannot crash every start.
     *
     * @return the outcome per experiment
     */
    @Transactional
    public Recovery recoverRunning(int maxRecoveries) {
        List<Long> requeued = new ArrayList<>();
        List<Long> failed = new ArrayList<>();
        for (Experiment experiment : experiments.findByStatusOrderByCreatedAtAscIdAsc(ExperimentStatus.RUNNING)) {
            long unitsDone = experiment.getUnitsDone();
            int stalled = experiment.recover();
            if (stalled >= maxRecoveries) {
                finish(experiment.getId(), ExperimentStatus.FAILED, "the process running this experiment died " + stalled
                        + " times in a row without getting past unit " + unitsDone + " of " + experiment.getUnitsTotal()
                        + " (crash, kill, or the operating system ending it, often for lack of memory); results of the "
                        + "runs finished before are kept. Check the log of the previous process, give it more memory or "
                        + "lower the model size, and submit the spec again; flatnesslab.jobs.max-recoveries sets the limit");
                failed.add(experiment.getId());
            } else {
                requeued.add(experiment.getId());
            }
        }
        return new Recovery(requeued, failed);
    }

    /**
     * Outcome of {@link #recoverRunning}.
     *
     * @param requeued experiments queued again to continue from their saved units
     * @param failed experiments failed because their recoveries made no progress
     */
    public record Recovery(List<Long> requeued, List<Long> failed) {
    }

    /** Puts a RUNNING experiment back in the queue after a shutdown, keeping its saved units. */
    @Transactional
    public void suspend(long id) {
        experiments.findById(id)
                .filter(experiment -> experiment.getStatus() == ExperimentStatus.RUNNING)
                .ifPresent(Experiment::suspend);
        changed(id);
    }

    /** Returns the keys ({@code group#run}) of the runs already stored. */
    @Transactional(readOnly = true)
    public Set<String> finishedRuns(long id) {
        return runs.findByExperimentIdOrderByIdAsc(id).stream()
                .map(run -> run.getGroupKey() + "#" + run.getRunIndex())
                .collect(Collectors.toSet());
    }

    /** Returns the saved state of an unfinished run, if any. */
    @Transactional(readOnly = true)
    public Optional<RunCheckpointState> checkpoint(long id, String groupKey, int runIndex, int directions) {
        return checkpoints.findByExperimentIdAndGroupKeyAndRunIndex(id, groupKey, runIndex).map(saved -> {
            List<EpochStats> history = json.readValue(saved.getEpochHistory(), EPOCH_HISTORY);
            TrainingStart training = new TrainingStart(saved.getEpochsDone(), history, saved.isReachedFullTrainAccuracy());
            MeasuredDirections measured = measured(saved, directions);
            return new RunCheckpointState(saved.getStage(), training, saved.getTrainingSeconds(), saved.getSnapshotId(),
                    measured.directions(), measured.baselineLoss());
        });
    }

    /**
     * Points the checkpoint of a run at newly stored parameters and deletes the snapshot it
     * replaces. Call it in the transaction that stored the snapshot, so that a crash leaves
     * either both or neither.
     */
    @Transactional
    public void saveParameters(long id, String groupKey, int runIndex, RunCheckpointState.Stage stage,
            TrainingStart training, double trainingSeconds, long snapshotId) {
        RunCheckpoint checkpoint = checkpoints.findByExperimentIdAndGroupKeyAndRunIndex(id, groupKey, runIndex)
                .orElseGet(() -> new RunCheckpoint(id, groupKey, runIndex));
        Long replaced = checkpoint.saveParameters(stage, training.epochsDone(), training.reachedFullTrainAccuracy(),
                json.writeValueAsString(training.history()), trainingSeconds, snapshotId, clock.instant());
        // Flushed first: the old snapshot row is deleted with JDBC, and the checkpoint row must
        // no longer reference it by then.
        checkpoints.saveAndFlush(checkpoint);
        if (replaced != null) {
            snapshots.delete(List.of(replaced));
        }
    }

    /** Saves the baseline loss of a TRAINED run's measurement. */
    @Transactional
    public void saveBaseline(long id, String groupKey, int runIndex, int directions, double baselineLoss) {
        RunCheckpoint checkpoint = checkpoints.findByExperimentIdAndGroupKeyAndRunIndex(id, groupKey, runIndex).orElseThrow();
        MeasuredDirections measured = measured(checkpoint, directions);
        checkpoint.saveMeasured(json.writeValueAsString(new MeasuredDirections(baselineLoss, measured.directions())),
                clock.instant());
    }

    /** Saves the increases along direction {@code k} of a TRAINED run. */
    @Transactional
    public void saveDirection(long id, String groupKey, int runIndex, int directions, int k,
            DirectionIncreases increases) {
        RunCheckpoint checkpoint = checkpoints.findByExperimentIdAndGroupKeyAndRunIndex(id, groupKey, runIndex).orElseThrow();
        MeasuredDirections measured = measured(checkpoint, directions);
        measured.directions()[k] = increases;
        checkpoint.saveMeasured(json.writeValueAsString(measured), clock.instant());
    }

    /** Stores the training subset, the random labels, if any, and the test split, if any. */
    @Transactional
    public void recordTrainingData(long id, int[] indices, int[] randomLabels, int[] testIndices) {
        Experiment experiment = experiments.findById(id).orElseThrow();
        experiment.recordTrainingData(join(indices), randomLabels == null ? null : join(randomLabels),
                testIndices == null || testIndices.length == 0 ? null : join(testIndices));
    }

    /** Returns the measures stored for a run, as {@code VARIANT/KIND} keys. */
    @Transactional(readOnly = true)
    public Set<String> storedMeasures(long id, String groupKey, int runIndex) {
        return measures.findByExperimentIdAndGroupKeyAndRunIndex(id, groupKey, runIndex).stream()
                .map(measure -> measureKey(measure.getVariant(), measure.getMeasure()))
                .collect(Collectors.toSet());
    }

    /** Returns the key {@link #storedMeasures} uses for a variant and measure. */
    public static String measureKey(NetworkVariant variant, MeasureKind kind) {
        return variant + "/" + kind;
    }

    /**
     * Stores one computed measure of a run as JSON, so that a resumed job does not compute it
     * again.
     *
     * @param result a record that Jackson serializes
     */
    @Transactional
    public void saveMeasure(long id, String groupKey, int runIndex, NetworkVariant variant, MeasureKind kind,
            Object result, long lossEvaluations, long gradientEvaluations, double seconds) {
        measures.save(new RunMeasure(id, groupKey, runIndex, variant, kind, MeasureReader.DOCUMENTS.writeValueAsString(result),
                lossEvaluations, gradientEvaluations, seconds, clock.instant()));
        changed(id);
    }

    /** Returns the snapshot ids of the stored runs of a group, by run index. */
    @Transactional(readOnly = true)
    public Map<Integer, Long> runSnapshots(long id, String groupKey) {
        Map<Integer, Long> snapshotIds = new TreeMap<>();
        for (TrainingRun run : runs.findByExperimentIdOrderByIdAsc(id)) {
            if (run.getGroupKey().equals(groupKey) && run.getSnapshotId() != null) {
                snapshotIds.put(run.getRunIndex(), run.getSnapshotId());
            }
        }
        return snapshotIds;
    }

    /** Updates the progress fields a dashboard polls. */
    @Transactional
    public void progress(long id, ProgressUpdate update) {
        experiments.findById(id).ifPresent(experiment -> experiment.progress(update));
        changed(id);
    }

    /** Stores a finished run with every loss increase and counts it as done. */
    @Transactional
    public long recordRun(long id, RunRecord record) {
        String history = json.writeValueAsString(record.training().history());
        TrainingRun run = runs.save(new TrainingRun(id, record, history, clock.instant()));

        FlatnessMeasurement measurement = record.measurement();
        double[] epsilons = measurement.epsilons();
        for (int e = 0; e < epsilons.length; e++) {
            double[] increases = measurement.increases()[e];
            for (int k = 0; k < increases.length; k++) {
                Double minus = measurement.minusIncreases() == null ? null : measurement.minusIncreases()[e][k];
                results.save(new FlatnessResult(run.getId(), e, epsilons[e], k, increases[k], minus));
            }
        }

        checkpoints.findByExperimentIdAndGroupKeyAndRunIndex(id, record.groupKey(), record.runIndex())
                .ifPresent(checkpoints::delete);
        experiments.findById(id).orElseThrow().runFinished();
        changed(id);
        return run.getId();
    }

    @Transactional
    public void succeed(long id) {
        finish(id, ExperimentStatus.SUCCEEDED, null);
    }

    @Transactional
    public void fail(long id, String reason) {
        finish(id, ExperimentStatus.FAILED, reason);
    }

    @Transactional
    public void cancelled(long id) {
        finish(id, ExperimentStatus.CANCELLED, null);
    }

    /** Ends an experiment and deletes the checkpoints of its unfinished runs, which nothing can resume. */
    private void finish(long id, ExperimentStatus status, String reason) {
        String bounded = reason == null || reason.length() <= 4000 ? reason : reason.substring(0, 3997) + "...";
        experiments.findById(id).ifPresent(experiment -> experiment.finish(status, bounded, clock.instant()));

        List<RunCheckpoint> unfinished = checkpoints.findByExperimentId(id);
        checkpoints.deleteAll(unfinished);
        checkpoints.flush();
        snapshots.delete(unfinished.stream().map(RunCheckpoint::getSnapshotId).toList());
        changed(id);
    }

    private MeasuredDirections measured(RunCheckpoint checkpoint, int directions) {
        if (checkpoint.getMeasuredJson() == null) {
            return new MeasuredDirections(null, new DirectionIncreases[directions]);
        }
        MeasuredDirections stored = json.readValue(checkpoint.getMeasuredJson(), MeasuredDirections.class);
        if (stored.directions().length != directions) {
            throw new IllegalStateException("checkpoint of run " + checkpoint.getGroupKey() + "#" + checkpoint.getRunIndex()
                    + " holds " + stored.directions().length + " directions, the spec asks for " + directions);
        }
        return stored;
    }

    /** Tells listeners (the event stream) after commit that the experiment's view changed. */
    private void changed(long id) {
        events.publishEvent(new ExperimentChanged(id));
    }

    /** JSON form of the directions measured so far; null entries are not measured yet. */
    private record MeasuredDirections(Double baselineLoss, DirectionIncreases[] directions) {
    }

    private static String join(int[] values) {
        return Arrays.stream(values).mapToObj(String::valueOf).collect(Collectors.joining(","));
    }
}
