package io.flatnesslab.job;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

import io.flatnesslab.dataset.Dataset;
import io.flatnesslab.dataset.DatasetCatalog;
import io.flatnesslab.dataset.DatasetProperties;
import io.flatnesslab.dataset.LabeledData;
import io.flatnesslab.experiment.FurtherMeasureSettings;
import io.flatnesslab.experiment.HessianSpec;
import io.flatnesslab.experiment.InterpolationSpec;
import io.flatnesslab.experiment.KeskarSpec;
import io.flatnesslab.experiment.PacBayesSpec;
import io.flatnesslab.experiment.SliceSpec;
import io.flatnesslab.experiment.SurfaceSpec;
import io.flatnesslab.experiment.WorstCaseSpec;
import io.flatnesslab.flatness.HessianEstimator;
import io.flatnesslab.flatness.Interpolation;
import io.flatnesslab.flatness.KeskarSharpness;
import io.flatnesslab.flatness.LandscapeScan;
import io.flatnesslab.flatness.LossLandscape;
import io.flatnesslab.flatness.NormalizedDirections;
import io.flatnesslab.flatness.PacBayesFlatness;
import io.flatnesslab.flatness.WorstCaseSharpness;
import io.flatnesslab.training.NetworkFactory;
import io.flatnesslab.training.Tensors;
import io.flatnesslab.training.Trainer;
import io.flatnesslab.training.TrainingSettings;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Command-line benchmark of every further measure at its spec defaults on one network trained
 * as in the classic experiment (plain SGD, lr 0.1, batch 64, up to 30 epochs, stopping at 100 %
 * training accuracy) on 1000 embedded MNIST digits. It logs one JSON object per measure with its
 * time, evaluations and main value, for the cost table of docs/measures.md.
 *
 * <pre>
 *   java -cp target/flatness-lab-*.jar -Dloader.main=io.flatnesslab.job.MeasureProbe \
 *       org.springframework.boot.loader.launch.PropertiesLauncher [hidden widths, default 5000,5000] [measures]
 * </pre>
 * The optional second argument lists measures to run, comma-separated, from slice, surface,
 * interpolation, worstCase, keskar, hessian, pacBayes; all by default.
 */
public final class MeasureProbe {

    private static final Logger log = LoggerFactory.getLogger(MeasureProbe.class);

    private static final int TRAIN_SIZE = 1000;

    private MeasureProbe() {
    }

    public static void main(String[] args) {
        List<Integer> hidden = Arrays.stream((args.length > 0 ? args[0] : "5000,5000").split(","))
                .map(Integer::valueOf).toList();
        List<String> selected = args.length > 1 ? List.of(args[1].split(",")) : List.of("slice", "surface",
                "interpolation", "worstCase", "keskar", "hessian", "pacBayes");
        Dataset dataset = new DatasetCatalog(new DatasetProperties(Path.of("no-extra-datasets")))
                .get(DatasetCatalog.EMBEDDED_NAME);
        LabeledData digits = dataset.select(TrainingSubset.sample(dataset.size(), TRAIN_SIZE, 0));
        DataSet data = Tensors.dataSet(digits);

        MultiLayerNetwork network = train(digits, hidden, 1);
        MultiLayerNetwork other = selected.contains("interpolation") ? train(digits, hidden, 2) : null;

        Map<String, Function<LossLandscape, Object>> measures = new LinkedHashMap<>();
        measures.put("slice", landscape -> slice(landscape, new SliceSpec(null, null, null, null, null, null)));
        measures.put("surface", landscape -> surface(landscape, new SurfaceSpec(null, null, null, null, null)));
        measures.put("interpolation", landscape -> {
            InterpolationSpec spec = new InterpolationSpec(null, null, null, null);
            return Interpolation.measure(landscape, other.params(),
                    LandscapeScan.centredGrid(spec.min(), spec.max(), spec.points())).barrier();
        });
        measures.put("worstCase", landscape -> WorstCaseSharpness.measure(landscape, FurtherMeasureSettings.worstCase(
                new WorstCaseSpec(null, null, null, null, null, null, null), TRAIN_SIZE, 3)).mean());
        measures.put("keskar", landscape -> KeskarSharpness.measure(landscape, FurtherMeasureSettings.keskar(
                new KeskarSpec(null, null, null, null, null), TRAIN_SIZE, 4)).sharpness());
        measures.put("hessian", landscape -> HessianEstimator.estimate(landscape, FurtherMeasureSettings.hessian(
                new HessianSpec(null, null, null, null, null, null, null, null, null, null), 5)).topEigenvalues().get(0).value());
        measures.put("pacBayes", landscape -> PacBayesFlatness.measure(landscape, FurtherMeasureSettings.pacBayes(
                new PacBayesSpec(null, null, null, null, null, null), 6)).sigma());

        for (String name : selected) {
            Function<LossLandscape, Object> measure = measures.get(name);
            if (measure == null) {
                throw new IllegalArgumentException("unknown measure '" + name + "'; use " + measures.keySet());
            }
            long started = System.nanoTime();
            try (LossLandscape landscape = LossLandscape.of(network, data)) {
                Object value = measure.apply(landscape);
                double seconds = (System.nanoTime() - started) / 1e9;
                log.info("measure probe result {}", String.format(Locale.ROOT, "{\"measure\": \"%s\", \"parameters\": %d, "
                                + "\"seconds\": %.1f, \"lossEvaluations\": %d, \"gradientEvaluations\": %d, "
                                + "\"value\": %s, \"peakRssMiB\": %d}", name, network.numParams(), seconds,
                        landscape.lossEvaluations(), landscape.gradientEvaluations(), value, peakResidentMiB()));
            }
        }
    }

    private static MultiLayerNetwork train(LabeledData digits, List<Integer> hidden, long seed) {
        long started = System.nanoTime();
        MultiLayerNetwork network = NetworkFactory.build(digits.inputSize(), hidden, digits.classCount(), 0.1, seed);
        Trainer.train(network, digits, new TrainingSettings(0.1, 64, 30, true), seed + 100, () -> false,
                (stats, full, last) -> { });
        log.info("measure probe trained {} parameters in {} s", network.numParams(),
                Math.round((System.nanoTime() - started) / 1e8) / 10.0);
        return network;
    }

    private static double slice(LossLandscape landscape, SliceSpec spec) {
        double[] alphas = LandscapeScan.centredGrid(spec.min(), spec.max(), spec.points());
        INDArray direction = landscape.newVector();
        NormalizedDirections.fill(direction, landscape.origin(), landscape.layout(), spec.normalization(),
                spec.filterBiases(), 1);
        double[] loss = LandscapeScan.slice(landscape, direction, alphas).loss();
        direction.close();
        return loss[loss.length - 1];
    }

    private static double surface(LossLandscape landscape, SurfaceSpec spec) {
        double[] grid = LandscapeScan.centredGrid(spec.min(), spec.max(), spec.points());
        List<INDArray> directions = new ArrayList<>();
        for (int k = 0; k < 2; k++) {
            INDArray direction = landscape.newVector();
            NormalizedDirections.fill(direction, landscape.origin(), landscape.layout(), spec.normalization(),
                    spec.filterBiases(), 10 + k);
            directions.add(direction);
        }
        double[][] loss = LandscapeScan.surface(landscape, directions.get(0), directions.get(1), grid, grid,
                LandscapeScan.RowListener.NONE).loss();
        directions.forEach(INDArray::close);
        return loss[0][0];
    }

    /** Peak resident set size of this process so far, read from /proc on Linux, or -1 elsewhere. */
    private static long peakResidentMiB() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
                }
            }
        } catch (IOException e) {
            return -1;
        }
        return -1;
    }
}
