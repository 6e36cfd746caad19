package io.flatnesslab.training;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Command-line probe of the classic experiment's inner loops on the 784-5000-5000-10 network:
 * one SGD step at batch 64 through DL4J's {@code fit} and through {@link MlpSgdStep}, and one
 * loss over 1000 examples. It logs one JSON object with the medians in milliseconds, for the
 * benchmark's table of levers.
 *
 * <pre>
 *   java -cp target/flatness-lab-*.jar -Dloader.main=io.flatnesslab.training.StepProbe \
 *       org.springframework.boot.loader.launch.PropertiesLauncher [repetitions]
 * </pre>
 */
public final class StepProbe {

    private static final Logger log = LoggerFactory.getLogger(StepProbe.class);

    private StepProbe() {
    }

    public static void main(String[] args) {
        int repetitions = args.length > 0 ? Integer.parseInt(args[0]) : 15;
        MultiLayerNetwork network = NetworkFactory.build(784, List.of(5000, 5000), 10, 0.1, 1);
        INDArray features = Nd4j.rand(DataType.FLOAT, 64, 784);
        INDArray oneHot = Nd4j.zeros(DataType.FLOAT, 64, 10);
        int[] labels = new int[64];
        for (int i = 0; i < 64; i++) {
            labels[i] = i % 10;
            oneHot.putScalar(i, labels[i], 1f);
        }
        INDArray evaluationFeatures = Nd4j.rand(DataType.FLOAT, 1000, 784);
        INDArray evaluationLabels = Nd4j.zeros(DataType.FLOAT, 1000, 10);
        for (int i = 0; i < 1000; i++) {
            evaluationLabels.putScalar(i, i % 10, 1f);
        }
        DataSet evaluation = new DataSet(evaluationFeatures, evaluationLabels);
        MlpSgdStep step = new MlpSgdStep(network, 0.1);

        double fit = medianMillis(repetitions, () -> network.fit(features, oneHot));
        double handWritten = medianMillis(repetitions, () -> step.step(features, oneHot, labels));
        double loss = medianMillis(Math.max(3, repetitions / 3), () -> network.score(evaluation, false));

        double stepFlops = 6.0 * 64 * network.numParams();
        double lossFlops = 2.0 * 1000 * network.numParams();
        log.info("step probe result {}", String.format(Locale.ROOT, "{\"fitStepMs\": %.1f, "
                        + "\"fitStepGflops\": %.1f, \"handWrittenStepMs\": %.1f, \"handWrittenStepGflops\": %.1f, "
                        + "\"loss1000Ms\": %.1f, \"loss1000Gflops\": %.1f}", fit, stepFlops / fit / 1e6,
                handWritten, stepFlops / handWritten / 1e6, loss, lossFlops / loss / 1e6));
    }

    /** Runs {@code work} twice to warm up, then returns the median of {@code repetitions} timings. */
    private static double medianMillis(int repetitions, Runnable work) {
        work.run();
        work.run();
        double[] millis = new double[repetitions];
        for (int i = 0; i < repetitions; i++) {
            long started = System.nanoTime();
            work.run();
            millis[i] = (System.nanoTime() - started) / 1e6;
        }
        Arrays.sort(millis);
        return millis[repetitions / 2];
    }
}
