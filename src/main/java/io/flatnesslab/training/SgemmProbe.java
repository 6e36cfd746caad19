package io.flatnesslab.training;

import java.util.Arrays;
import java.util.Locale;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Command-line probe of this machine's float32 matrix-product throughput through ND4J, the
 * yardstick of the benchmark's "fraction of sgemm" column. It times C = A·B with A 1000 × 5000
 * and B 5000 × 5000 (2·10¹⁰ floating-point operations) and logs one JSON object with the
 * median and the spread of the repetitions.
 *
 * <pre>
 *   java -cp target/flatness-lab-*.jar -Dloader.main=io.flatnesslab.training.SgemmProbe \
 *       org.springframework.boot.loader.launch.PropertiesLauncher [repetitions]
 * </pre>
 */
public final class SgemmProbe {

    private static final Logger log = LoggerFactory.getLogger(SgemmProbe.class);

    private SgemmProbe() {
    }

    public static void main(String[] args) {
        int repetitions = args.length > 0 ? Integer.parseInt(args[0]) : 7;
        INDArray a = Nd4j.rand(DataType.FLOAT, 1000, 5000);
        INDArray b = Nd4j.rand(DataType.FLOAT, 5000, 5000);
        INDArray c = Nd4j.create(DataType.FLOAT, 1000, 5000);

        // The first product loads OpenBLAS's kernels and threads; it is not counted.
        Nd4j.gemm(a, b, c, false, false, 1.0, 0.0);
        double[] seconds = new double[repetitions];
        for (int i = 0; i < repetitions; i++) {
            long started = System.nanoTime();
            Nd4j.gemm(a, b, c, false, false, 1.0, 0.0);
            seconds[i] = (System.nanoTime() - started) / 1e9;
        }

        Arrays.sort(seconds);
        double operations = 2.0 * 1000 * 5000 * 5000;
        String line = String.format(Locale.ROOT, "{\"framework\": \"nd4j\", \"repetitions\": %d, "
                        + "\"medianGflops\": %.1f, \"minGflops\": %.1f, \"maxGflops\": %.1f}", repetitions,
                operations / seconds[repetitions / 2] / 1e9, operations / seconds[repetitions - 1] / 1e9,
                operations / seconds[0] / 1e9);
        log.info("sgemm probe result {}", line);
    }
}
