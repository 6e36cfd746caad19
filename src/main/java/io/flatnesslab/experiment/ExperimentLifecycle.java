package io.flatnesslab.experiment;

import java.time.Clock;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

import io.flatnesslab.flatness.FlatnessMeasurement;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import tools.jackson.databind.json.JsonMapper;

/**
 * State changes of an experiment while a job runs it. Each method commits on its own, so a
 * dashboard polling the experiment reads progress as it happens and a crash loses at most the
 * run in progress.
 */
@Service
public class ExperimentLifecycle {

    private final ExperimentRepository experiments;

    private final TrainingRunRepository runs;

    private final FlatnessResultRepository results;

    private final JsonMapper json;

    private final Clock clock;

    ExperimentLifecycle(ExperimentRepository experiments, TrainingRunRepository runs, FlatnessResultRepository results,
            JsonMapper json, Clock clock) {
        this.experiments = experiments;
        this.runs = runs;
        this.results = results;
        this.json = json;
        this.clock = clock;
    }

    /**
     * Moves a QUEUED experiment to RUNNING and returns its spec, or returns empty when the
     * experiment is gone or no longer QUEUED (for example cancelled while waiting).
     */
    @Transactional
    public Optional<ExperimentSpec> claim(long id) {
        if (experiments.transition(id, ExperimentStatus.QUEUED, ExperimentStatus.RUNNING) == 0) {
            return Optional.empty();
        }
        Experiment experiment = experiments.findById(id).orElseThrow();
        experiment.start(clock.instant());
        return Optional.of(json.readValue(experiment.getSpecJson(), ExperimentSpec.class));
    }

    /** Ids of QUEUED experiments, oldest first. */
    @Transactional(readOnly = true)
    public List<Long> queued() {
        return experiments.findByStatusOrderByCreatedAtAscIdAsc(ExperimentStatus.QUEUED).stream()
                .map(Experiment::getId)
                .toList();
    }

    /** Marks every RUNNING experiment FAILED with {@code reason}; returns their ids. */
    @Transactional
    public List<Long> failRunning(String reason) {
        List<Experiment> running = experiments.findByStatusOrderByCreatedAtAscIdAsc(ExperimentStatus.RUNNING);
        running.forEach(experiment -> experiment.finish(ExperimentStatus.FAILED, reason, clock.instant()));
        return running.stream().map(Experiment::getId).toList();
    }

    /** Stores the training subset and the random labels, if any. */
    @Transactional
    public void recordTrainingData(long id, int[] indices, int[] randomLabels) {
        Experiment experiment = experiments.findById(id).orElseThrow();
        experiment.recordTrainingData(join(indices), randomLabels == null ? null : join(randomLabels));
    }

    /** Updates the progress fields a dashboard polls. */
    @Transactional
    public void progress(long id, String phase, String group, Integer run, Integer epoch) {
        experiments.findById(id).ifPresent(experiment -> experiment.progress(phase, group, run, epoch));
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

        experiments.findById(id).orElseThrow().runFinished();
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

    private void finish(long id, ExperimentStatus status, String reason) {
        String bounded = reason == null || reason.length() <= 4000 ? reason : reason.substring(0, 3997) + "...";
        experiments.findById(id).ifPresent(experiment -> experiment.finish(status, bounded, clock.instant()));
    }

    private static String join(int[] values) {
        return Arrays.stream(values).mapToObj(String::valueOf).collect(Collectors.joining(","));
    }
}
