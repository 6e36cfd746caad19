package io.flatnesslab.job;

import java.util.Map;
import java.util.Set;

import io.flatnesslab.dataset.LabeledData;
import io.flatnesslab.experiment.ExperimentLifecycle;
import io.flatnesslab.experiment.ExperimentSpec;
import io.flatnesslab.experiment.GroupSpec;
import io.flatnesslab.experiment.MeasureCost;
import io.flatnesslab.experiment.MeasureKind;
import io.flatnesslab.experiment.MeasurePlan;
import io.flatnesslab.experiment.MeasureResults.PairInterpolation;
import io.flatnesslab.experiment.NetworkVariant;
import io.flatnesslab.experiment.ProgressUpdate;
import io.flatnesslab.flatness.EvaluationListener;
import io.flatnesslab.flatness.Interpolation;
import io.flatnesslab.flatness.Interpolation.InterpolationResult;
import io.flatnesslab.flatness.LandscapeScan;
import io.flatnesslab.flatness.LossLandscape;
import io.flatnesslab.flatness.Precision;
import io.flatnesslab.snapshot.ModelNotFoundException;
import io.flatnesslab.snapshot.ModelService;
import io.flatnesslab.snapshot.SnapshotStore;
import io.flatnesslab.training.Tensors;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.dataset.DataSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Linear interpolations between consecutive runs r and r + 1 of one group, on the group's
 * training data, after all its runs are stored. An experiment that measures an imported model
 * interpolates from it to the second imported model its spec names. Each pair is stored under run r as soon as it
 * is measured and skipped when a resumed job finds it stored.
 */
final class GroupInterpolations {

    private static final Logger log = LoggerFactory.getLogger(GroupInterpolations.class);

    private final ExperimentLifecycle lifecycle;

    private final SnapshotStore snapshots;

    private final ModelService models;

    private final long id;

    private final ExperimentSpec spec;

    private final GroupSpec group;

    private final LabeledData trainingData;

    private final ProgressTracker progress;

    private final CancellationToken token;

    GroupInterpolations(ExperimentLifecycle lifecycle, SnapshotStore snapshots, ModelService models, long id,
            ExperimentSpec spec,
            GroupSpec group, LabeledData trainingData, ProgressTracker progress, CancellationToken token) {
        this.lifecycle = lifecycle;
        this.snapshots = snapshots;
        this.models = models;
        this.id = id;
        this.spec = spec;
        this.group = group;
        this.trainingData = trainingData;
        this.progress = progress;
        this.token = token;
    }

    void run() {
        if (MeasurePlan.interpolations(spec).units() == 0) {
            return;
        }
        long evaluations = MeasurePlan.interpolationEvaluations(spec);
        double costPerParameter = (double) evaluations * spec.dataset().trainSize();
        Map<Integer, Long> snapshotIds = lifecycle.runSnapshots(id, group.key());
        DataSet data = null;

        if (spec.measuresImportedModel()) {
            if (isStored(0)) {
                progress.measureSkipped(group.key(), evaluations, costPerParameter);
                return;
            }
            long other = spec.flatness().interpolation().model();
            measurePair(0, snapshotIds.get(0), secondModelSnapshot(other), Tensors.dataSet(trainingData), evaluations,
                    costPerParameter, other);
            return;
        }

        for (int runA = 0; runA + 1 < spec.runsPerGroup(); runA++) {
            if (isStored(runA)) {
                progress.measureSkipped(group.key(), evaluations, costPerParameter);
                continue;
            }
            if (token.isShutdown()) {
                throw new JobSuspendedException();
            }
            Long snapshotA = snapshotIds.get(runA);
            Long snapshotB = snapshotIds.get(runA + 1);
            if (snapshotA == null || snapshotB == null) {
                throw new IllegalStateException("run " + (snapshotA == null ? runA : runA + 1) + " of group "
                        + group.key() + " has no stored parameters to interpolate");
            }
            if (data == null) {
                data = Tensors.dataSet(trainingData);
            }
            measurePair(runA, snapshotA, snapshotB, data, evaluations, costPerParameter, null);
        }
    }

    private long secondModelSnapshot(long modelId) {
        try {
            return models.get(modelId).snapshotId();
        } catch (ModelNotFoundException e) {
            throw new IllegalStateException("imported model " + modelId + ", the interpolation target, was deleted "
                    + "before this experiment ran; import it again and resubmit", e);
        }
    }

    private boolean isStored(int runA) {
        Set<String> stored = lifecycle.storedMeasures(id, group.key(), runA);
        return stored.contains(ExperimentLifecycle.measureKey(NetworkVariant.ORIGINAL, MeasureKind.INTERPOLATION));
    }

    /**
     * Measures the interpolation from the parameters of run {@code runA} to those in
     * {@code snapshotB}: run runA + 1, or imported model {@code modelB} when it is not null.
     */
    private void measurePair(int runA, long snapshotA, long snapshotB, DataSet data, long planned,
            double costPerParameter, Long modelB) {
        lifecycle.progress(id, new ProgressUpdate("MEASURING_INTERPOLATION", group.key(), runA, null, null, null,
                progress.unitsDone(), progress.unitsTotal(), progress.secondsRemaining()));
        long started = System.nanoTime();
        int examples = data.numExamples();
        long[] counted = {0};
        EvaluationListener listener = new EvaluationListener() {

            @Override
            public void onLossEvaluation() {
                if (counted[0] < planned) {
                    counted[0]++;
                    progress.measureEvaluated(group.key(), examples, false);
                }
            }
        };

        MultiLayerNetwork networkA = snapshots.loadNetwork(snapshotA);
        MultiLayerNetwork networkB = snapshots.loadNetwork(snapshotB);
        InterpolationResult result;
        long evaluations;
        try (LossLandscape landscape = new LossLandscape(networkA, data, Precision.FLOAT, listener,
                token::isCancelRequested)) {
            double[] grid = LandscapeScan.centredGrid(spec.flatness().interpolation().min(),
                    spec.flatness().interpolation().max(), spec.flatness().interpolation().points());
            result = Interpolation.measure(landscape, networkB.params(), grid);
            evaluations = landscape.lossEvaluations();
        } finally {
            networkA.close();
            networkB.close();
        }

        double seconds = Math.round((System.nanoTime() - started) / 1e6) / 1e3;
        lifecycle.saveMeasure(id, group.key(), runA, NetworkVariant.ORIGINAL, MeasureKind.INTERPOLATION,
                new PairInterpolation(runA, modelB == null ? runA + 1 : null, modelB, result), evaluations, 0, seconds);
        if (counted[0] < planned) {
            progress.measureSkipped(group.key(), planned - counted[0], costPerParameter * (planned - counted[0]) / planned);
        }
        log.info("Experiment {} group {} interpolated run {} to {}: barrier {} at t = {}, {} loss evaluations in {} s",
                id, group.key(), runA, modelB == null ? "run " + (runA + 1) : "imported model " + modelB, result.barrier(),
                result.barrierT(), evaluations, seconds);
    }
}
