package io.flatnesslab.experiment;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;

import io.flatnesslab.experiment.ExperimentResults.GroupResults;
import io.flatnesslab.experiment.ExperimentResults.OverDirections;
import io.flatnesslab.experiment.ExperimentResults.OverRuns;
import io.flatnesslab.experiment.ExperimentResults.RunResults;
import io.flatnesslab.dataset.Dataset;
import io.flatnesslab.dataset.DatasetCatalog;
import io.flatnesslab.dataset.DatasetNotFoundException;
import io.flatnesslab.dataset.DatasetUnavailableException;
import io.flatnesslab.flatness.Statistics;
import io.flatnesslab.training.NetworkFactory;
import io.flatnesslab.snapshot.SnapshotInfo;
import io.flatnesslab.snapshot.SnapshotStore;
import io.flatnesslab.training.EpochStats;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.data.domain.Page;
import org.springframework.data.domain.PageRequest;
import org.springframework.data.domain.Sort;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/** Submission, queries, cancellation and deletion of experiments. */
@Service
public class ExperimentService {

    private static final Logger log = LoggerFactory.getLogger(ExperimentService.class);

    private static final TypeReference<List<EpochStats>> EPOCH_HISTORY = new TypeReference<>() {
    };

    private final ExperimentRepository experiments;

    private final TrainingRunRepository runs;

    private final FlatnessResultRepository results;

    private final SpecValidator validator;

    private final SnapshotStore snapshots;

    private final ApplicationEventPublisher events;

    private final DatasetCatalog datasets;

    private final JsonMapper json;

    private final Clock clock;

    private final RunCheckpointRepository checkpoints;

    private final ExperimentProperties properties;

    private final TransactionTemplate transactions;

    private final ExperimentLifecycle lifecycle;

    private final MeasureReader measureReader;

    private final Lock admission = new ReentrantLock();

    ExperimentService(ExperimentRepository experiments, TrainingRunRepository runs, FlatnessResultRepository results,
            SpecValidator validator, SnapshotStore snapshots, ApplicationEventPublisher events, DatasetCatalog datasets,
            JsonMapper json, Clock clock, RunCheckpointRepository checkpoints, ExperimentProperties properties,
            TransactionTemplate transactions, ExperimentLifecycle lifecycle, MeasureReader measureReader) {
        this.lifecycle = lifecycle;
        this.measureReader = measureReader;
        this.checkpoints = checkpoints;
        this.properties = properties;
        this.transactions = transactions;
        this.datasets = datasets;
        this.experiments = experiments;
        this.runs = runs;
        this.results = results;
        this.validator = validator;
        this.snapshots = snapshots;
        this.events = events;
        this.json = json;
        this.clock = clock;
    }

    /**
     * Validates and stores a spec as a QUEUED experiment; the job module starts it after commit.
     *
     * @throws InvalidRequestException when the spec cannot run
     * @throws QueueFullException when the queue contains {@code flatnesslab.experiments.max-queued} experiments
     */
    public ExperimentView submit(ExperimentSpec spec) {
        return submit(spec, null).experiment();
    }

    /**
     * Validates and stores a spec as a QUEUED experiment, or returns the experiment an earlier
     * request with the same {@code idempotencyKey} and the same resolved spec created.
     *
     * @param idempotencyKey the request's Idempotency-Key, or null
     * @throws InvalidRequestException when the spec cannot run
     * @throws IdempotencyKeyReusedException when the key came with a different spec before
     * @throws QueueFullException when the queue contains {@code flatnesslab.experiments.max-queued} experiments
     */
    public Submission submit(ExperimentSpec requested, String idempotencyKey) {
        validator.validate(requested);
        ExperimentSpec spec = requested.resolved(datasets.get(requested.dataset().name()).size());
        String specJson = json.writeValueAsString(spec);
        String specSha256 = sha256(specJson);

        // The lock makes the queue count, the key lookup and the insert one step, so concurrent
        // submissions can neither exceed the queue limit nor create two experiments for one key.
        admission.lock();
        try {
            return transactions.execute(status -> {
                if (idempotencyKey != null) {
                    Optional<Experiment> earlier = experiments.findByIdempotencyKey(idempotencyKey);
                    if (earlier.isPresent()) {
                        return replay(earlier.get(), idempotencyKey, specSha256);
                    }
                }

                long queued = experiments.countByStatus(ExperimentStatus.QUEUED);
                if (queued >= properties.maxQueued()) {
                    log.warn("Submission rejected: {} experiments queued, the maximum is {}", queued,
                            properties.maxQueued());
                    throw new QueueFullException(queued, properties.maxQueued(), retryAfter());
                }

                Experiment experiment = new Experiment(specJson, specSha256, idempotencyKey, spec.totalRuns(),
                        clock.instant().truncatedTo(ChronoUnit.MICROS));
                experiment.planUnits(unitsOf(spec));
                experiment = experiments.save(experiment);
                log.info("Experiment {} queued: {} groups x {} runs on {} ({} examples), seed {}", experiment.getId(),
                        spec.groups().size(), spec.runsPerGroup(), spec.dataset().name(), spec.dataset().trainSize(),
                        spec.seed());
                events.publishEvent(new ExperimentSubmitted(experiment.getId()));
                return new Submission(view(experiment), false);
            });
        } finally {
            admission.unlock();
        }
    }

    /**
     * Units of work of a validated spec, counted as the job counts them: epochs, loss
     * evaluations of the random directions, and the planned evaluations of the further measures.
     */
    private long unitsOf(ExperimentSpec spec) {
        long epochs = spec.measuresImportedModel() ? 0 : spec.training().maxEpochs();
        long sides = spec.flatness().twoSided() ? 2 : 1;
        long evaluations = 2 + (long) spec.flatness().directions() * spec.flatness().epsilons().size() * sides;
        int testSize = spec.dataset().testSizeFor(datasets.get(spec.dataset().name()).size());
        return spec.totalRuns() * (epochs + evaluations) + MeasurePlan.units(spec, testSize);
    }

    private Submission replay(Experiment earlier, String idempotencyKey, String specSha256) {
        if (!specSha256.equals(earlier.getSpecSha256())) {
            throw new IdempotencyKeyReusedException(idempotencyKey, earlier.getId());
        }
        log.info("Experiment {} returned again for its Idempotency-Key", earlier.getId());
        return new Submission(view(earlier), true);
    }

    /** Returns the soonest estimated end of a running experiment, or the configured default. */
    private Duration retryAfter() {
        return experiments.findByStatusOrderByCreatedAtAscIdAsc(ExperimentStatus.RUNNING).stream()
                .map(Experiment::getSecondsRemaining)
                .filter(Objects::nonNull)
                .min(Long::compare)
                .map(seconds -> Duration.ofSeconds(Math.max(1, Math.min(3600, seconds))))
                .orElse(properties.retryAfter());
    }

    /**
     * Outcome of a submission.
     *
     * @param replayed whether an earlier request with the same Idempotency-Key created it
     */
    public record Submission(ExperimentView experiment, boolean replayed) {
    }

    @Transactional(readOnly = true)
    public ExperimentView get(long id) {
        return view(find(id));
    }

    /** Lists experiments newest first, optionally only those with {@code status}. */
    @Transactional(readOnly = true)
    public ExperimentPage list(ExperimentStatus status, int page, int size) {
        PageRequest request = PageRequest.of(page, size, Sort.by(Sort.Order.desc("createdAt"), Sort.Order.desc("id")));
        Page<Experiment> found = status == null ? experiments.findAll(request) : experiments.findByStatus(status, request);
        return new ExperimentPage(found.getContent().stream().map(this::view).toList(), page, size,
                found.getTotalElements(), found.getTotalPages());
    }

    /**
     * Cancels an experiment: a QUEUED one at once, a RUNNING one at its next check, which
     * comes within one training step or one loss evaluation.
     *
     * @throws ExperimentStateException when the experiment already ended
     */
    @Transactional
    public ExperimentView cancel(long id) {
        Experiment experiment = find(id);
        if (experiment.getStatus() == ExperimentStatus.QUEUED
                && experiments.transition(id, ExperimentStatus.QUEUED, ExperimentStatus.CANCELLED) == 1) {
            // The same ending as a cancelled job: timestamps, checkpoint cleanup and the event.
            lifecycle.cancelled(id);
            log.info("Experiment {} cancelled while queued", id);
            return view(find(id));
        }

        if (experiment.getStatus() == ExperimentStatus.RUNNING) {
            experiment.requestCancel();
            events.publishEvent(new ExperimentCancellationRequested(id));
            events.publishEvent(new ExperimentChanged(id));
            log.info("Experiment {} cancellation requested while running", id);
            return view(experiment);
        }
        throw new ExperimentStateException(id, experiment.getStatus(),
                "experiment " + id + " is already " + experiment.getStatus() + " and cannot be cancelled");
    }

    /**
     * Deletes a finished experiment with its runs, results and snapshots.
     *
     * @throws ExperimentStateException when the experiment is QUEUED or RUNNING
     */
    @Transactional
    public void delete(long id) {
        Experiment experiment = find(id);
        if (!experiment.getStatus().isFinal()) {
            throw new ExperimentStateException(id, experiment.getStatus(), "experiment " + id + " is "
                    + experiment.getStatus() + "; cancel it and wait until it is CANCELLED before deleting it");
        }
        List<TrainingRun> stored = runs.findByExperimentIdOrderByIdAsc(id);
        List<Long> snapshotIds = new ArrayList<>(stored.stream().map(TrainingRun::getSnapshotId)
                .filter(Objects::nonNull).toList());
        checkpoints.findByExperimentId(id).forEach(checkpoint -> snapshotIds.add(checkpoint.getSnapshotId()));

        experiments.delete(experiment);
        experiments.flush();
        snapshots.delete(snapshotIds);
        log.info("Experiment {} deleted with {} runs and {} snapshots", id, stored.size(), snapshotIds.size());
    }

    /**
     * Returns the results of a finished experiment: complete for SUCCEEDED, the runs finished
     * before the end for FAILED and CANCELLED.
     *
     * @throws ExperimentStateException while the experiment is QUEUED or RUNNING
     */
    @Transactional(readOnly = true)
    public ExperimentResults results(long id) {
        Experiment experiment = find(id);
        if (!experiment.getStatus().isFinal()) {
            throw new ExperimentStateException(id, experiment.getStatus(), "experiment " + id + " is "
                    + experiment.getStatus() + " (" + experiment.getRunsDone() + " of " + experiment.getRunsTotal()
                    + " runs done); results are available once it is SUCCEEDED, FAILED or CANCELLED");
        }
        ExperimentSpec spec = spec(experiment);
        List<TrainingRun> stored = runs.findByExperimentIdOrderByIdAsc(id);
        Map<Long, Measured> increases = increasesByRun(stored, spec);
        MeasureReader.Stored measured = measureReader.read(id);

        List<GroupResults> groups = new ArrayList<>();
        for (GroupSpec group : spec.groups()) {
            List<TrainingRun> groupRuns = stored.stream()
                    .filter(run -> run.getGroupKey().equals(group.key()))
                    .sorted(Comparator.comparingInt(TrainingRun::getRunIndex))
                    .toList();
            groups.add(groupResults(id, spec, group, groupRuns, increases, measured));
        }

        List<Integer> testIndices = parse(experiment.getTestIndices());
        ExperimentResults.TrainingData data = new ExperimentResults.TrainingData(spec.dataset().name(),
                spec.dataset().trainSize(), parse(experiment.getTrainIndices()), parse(experiment.getRandomLabels()),
                testIndices == null ? 0 : testIndices.size(), testIndices);
        boolean complete = experiment.getStatus() == ExperimentStatus.SUCCEEDED && stored.size() == spec.totalRuns();
        return new ExperimentResults(id, experiment.getStatus(), complete, data, spec.flatness().epsilons(),
                spec.flatness().directions(), spec.flatness().normalization(), groups);
    }

    /**
     * Returns the snapshot id of a run of an experiment.
     *
     * @throws ExperimentNotFoundException when the experiment, the run or its snapshot is missing
     */
    @Transactional(readOnly = true)
    public long snapshotOf(long experimentId, long runId) {
        find(experimentId);
        TrainingRun run = runs.findByIdAndExperimentId(runId, experimentId)
                .orElseThrow(() -> new ExperimentNotFoundException("run " + runId + " not found in experiment "
                        + experimentId + "; GET /api/experiments/" + experimentId + "/results lists its runs"));
        if (run.getSnapshotId() == null) {
            throw new ExperimentNotFoundException("run " + runId + " of experiment " + experimentId + " has no snapshot");
        }
        return run.getSnapshotId();
    }

    private GroupResults groupResults(long experimentId, ExperimentSpec spec, GroupSpec group, List<TrainingRun> groupRuns,
            Map<Long, Measured> measured, MeasureReader.Stored further) {
        String datasetName = spec.dataset().name();
        List<Double> epsilons = spec.flatness().epsilons();
        double[] epsilonValues = epsilons.stream().mapToDouble(Double::doubleValue).toArray();
        List<RunResults> runResults = new ArrayList<>();
        List<Map<String, Double>> scalarsPerRun = new ArrayList<>();
        double[][] runMeans = new double[epsilons.size()][groupRuns.size()];
        boolean twoSided = !groupRuns.isEmpty() && measured.get(groupRuns.get(0).getId()).minus() != null;
        double[][] curvatureMeans = twoSided ? new double[epsilons.size()][groupRuns.size()] : null;
        double[][] firstOrderMeans = twoSided ? new double[epsilons.size()][groupRuns.size()] : null;
        int atFullAccuracy = 0;

        for (int r = 0; r < groupRuns.size(); r++) {
            TrainingRun run = groupRuns.get(r);
            Measured values = measured.get(run.getId());
            atFullAccuracy += run.isReachedFullTrainAccuracy() ? 1 : 0;

            List<OverDirections> perEpsilon = new ArrayList<>();
            for (int e = 0; e < epsilons.size(); e++) {
                OverDirections stats = ResultStatistics.overDirections(epsilons.get(e), values.plus()[e],
                        values.minus() == null ? null : values.minus()[e]);
                perEpsilon.add(stats);
                runMeans[e][r] = stats.mean();
                if (twoSided && stats.twoSided() != null) {
                    curvatureMeans[e][r] = stats.twoSided().curvature().mean();
                    firstOrderMeans[e][r] = stats.twoSided().firstOrder().mean();
                }
            }

            Double roundOff = run.getFloat32Loss() == null || run.getFloat64Loss() == null ? null
                    : Math.abs(run.getFloat32Loss() - run.getFloat64Loss());
            FurtherResults extra = furtherResults(further, group.key(), run.getRunIndex(), epsilonValues, perEpsilon);
            scalarsPerRun.add(extra.scalars());
            runResults.add(new RunResults(run.getId(), run.getRunIndex(), run.getEpochsTrained(),
                    run.getFinalTrainAccuracy(), run.isReachedFullTrainAccuracy(), run.getBaselineLoss(),
                    run.getTrainingSeconds(), run.getMeasuringSeconds(), perEpsilon,
                    json.readValue(run.getEpochHistory(), EPOCH_HISTORY), snapshot(experimentId, run),
                    run.getFloat32Loss(), run.getFloat64Loss(), roundOff, extra.generalization(), extra.measures(),
                    extra.invariances()));
        }

        List<OverRuns> overRuns = new ArrayList<>();
        for (int e = 0; e < epsilons.size(); e++) {
            overRuns.add(ResultStatistics.overRuns(epsilons.get(e), runMeans[e], twoSided ? curvatureMeans[e] : null,
                    twoSided ? firstOrderMeans[e] : null, atFullAccuracy));
        }
        long parameterCount = groupRuns.isEmpty() ? parameterCount(datasetName, group)
                : groupRuns.get(0).getParameterCount();
        return new GroupResults(group.key(), group.hiddenLayers(), group.labels(), parameterCount, overRuns, runResults,
                MeasureReader.summarize(scalarsPerRun), further.interpolations(group.key(), spec.runsPerGroup()));
    }

    /**
     * The stored further measures of one run with their scalar summaries: those of the trained
     * network (with the classic mean increases and the generalization) and the rows of the
     * reparameterization check.
     */
    private static FurtherResults furtherResults(MeasureReader.Stored further, String group, int runIndex,
            double[] epsilons, List<OverDirections> classic) {
        MeasureResults.Generalization generalization = further.generalization(group, runIndex);
        List<MeasureResults.RunMeasures> measures = further.measures(group, runIndex);
        double[] classicMeans = classic.stream().mapToDouble(OverDirections::mean).toArray();
        MeasureResults.RunMeasures original = measures.stream()
                .filter(variant -> variant.variant() == NetworkVariant.ORIGINAL).findFirst().orElse(null);
        MeasureResults.RunMeasures rescaled = measures.stream()
                .filter(variant -> variant.variant() == NetworkVariant.RESCALED).findFirst().orElse(null);

        Map<String, Double> scalars = MeasureReader.scalars(original, epsilons, classicMeans);
        List<MeasureResults.Invariance> invariances = List.of();
        if (rescaled != null) {
            double[] rescaledMeans = rescaled.randomDirections() == null ? null : rescaled.randomDirections().mean();
            invariances = MeasureReader.invariances(scalars, MeasureReader.scalars(rescaled, epsilons, rescaledMeans));
        }
        if (generalization != null) {
            scalars.put("generalization.trainLoss", generalization.trainLoss());
            scalars.put("generalization.testLoss", generalization.testLoss());
            scalars.put("generalization.lossGap", generalization.lossGap());
            scalars.put("generalization.testAccuracy", generalization.testAccuracy());
            scalars.put("generalization.accuracyGap", generalization.accuracyGap());
        }
        return new FurtherResults(generalization, measures, invariances, scalars);
    }

    private record FurtherResults(MeasureResults.Generalization generalization, List<MeasureResults.RunMeasures> measures,
            List<MeasureResults.Invariance> invariances, Map<String, Double> scalars) {
    }

    /** Parameter count of a group that has no stored run, or 0 when its dataset is gone. */
    private long parameterCount(String datasetName, GroupSpec group) {
        try {
            Dataset dataset = datasets.get(datasetName);
            return NetworkFactory.parameterCount(dataset.inputSize(), group.hiddenLayers(), dataset.classCount());
        } catch (DatasetNotFoundException | DatasetUnavailableException e) {
            return 0;
        }
    }

    private ExperimentResults.Snapshot snapshot(long experimentId, TrainingRun run) {
        if (run.getSnapshotId() == null) {
            return null;
        }
        Optional<SnapshotInfo> info = snapshots.find(run.getSnapshotId());
        return info.map(found -> new ExperimentResults.Snapshot(
                        "/api/experiments/" + experimentId + "/runs/" + run.getId() + "/snapshot", found.format(),
                        found.sizeBytes(), found.sha256()))
                .orElse(null);
    }

    private Map<Long, Measured> increasesByRun(List<TrainingRun> stored, ExperimentSpec spec) {
        int epsilons = spec.flatness().epsilons().size();
        int directions = spec.flatness().directions();
        Map<Long, Measured> byRun = new LinkedHashMap<>();
        for (TrainingRun run : stored) {
            byRun.put(run.getId(), new Measured(new double[epsilons][directions], new double[epsilons][directions]));
        }
        if (byRun.isEmpty()) {
            return byRun;
        }

        Map<Long, Boolean> twoSided = new LinkedHashMap<>();
        for (FlatnessResult result : results.findByRunIdInOrderByRunIdAscEpsilonIndexAscDirectionIndexAsc(byRun.keySet())) {
            Measured measured = byRun.get(result.getRunId());
            measured.plus()[result.getEpsilonIndex()][result.getDirectionIndex()] = result.getLossIncrease();
            if (result.getMinusIncrease() != null) {
                measured.minus()[result.getEpsilonIndex()][result.getDirectionIndex()] = result.getMinusIncrease();
            }
            twoSided.putIfAbsent(result.getRunId(), result.getMinusIncrease() != null);
        }
        byRun.replaceAll((runId, measured) -> Boolean.TRUE.equals(twoSided.get(runId)) ? measured
                : new Measured(measured.plus(), null));
        return byRun;
    }

    /** Stored increases of one run: {@code [epsilon][direction]}, minus null when one-sided. */
    private record Measured(double[][] plus, double[][] minus) {
    }

    private Experiment find(long id) {
        return experiments.findById(id).orElseThrow(() -> ExperimentNotFoundException.experiment(id));
    }

    private ExperimentSpec spec(Experiment experiment) {
        return json.readValue(experiment.getSpecJson(), ExperimentSpec.class);
    }

    private ExperimentView view(Experiment experiment) {
        ExperimentView.Progress progress = new ExperimentView.Progress(experiment.getRunsDone(),
                experiment.getRunsTotal(), experiment.getPhase(), experiment.getCurrentGroup(),
                experiment.getCurrentRun(), experiment.getCurrentEpoch(), experiment.getCurrentDirection(),
                experiment.getCurrentEpsilonIndex(), experiment.getUnitsDone(), experiment.getUnitsTotal(),
                experiment.getSecondsRemaining(), experiment.isCancelRequested(), experiment.getRecoveries());
        return new ExperimentView(experiment.getId(), experiment.getStatus(), progress, experiment.getCreatedAt(),
                experiment.getStartedAt(), experiment.getFinishedAt(), experiment.getFailureReason(), spec(experiment));
    }

    private static String sha256(String text) {
        return sha256Hex(text.getBytes(StandardCharsets.UTF_8));
    }

    /** Returns the hex SHA-256 of {@code bytes}. */
    static String sha256Hex(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    private static List<Integer> parse(String joined) {
        if (joined == null || joined.isEmpty()) {
            return null;
        }
        return Arrays.stream(joined.split(",")).map(Integer::valueOf).toList();
    }
}
