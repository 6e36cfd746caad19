package io.flatnesslab.experiment;

import java.lang.management.ManagementFactory;
import java.util.List;

import io.flatnesslab.flatness.HessianEstimator;
import io.flatnesslab.flatness.HessianSettings;
import io.flatnesslab.flatness.Precision;
import io.flatnesslab.training.NetworkFactory;

/**
 * Estimate of the off-heap memory one run needs, to reject at submission a spec that cannot fit
 * instead of failing, or being killed by the operating system, hours later.
 *
 * <p>With P parameters, n training examples and W the sum of the layer widths (input, hidden
 * and output), the largest allocations are float32 copies of the parameters (the parameters,
 * their gradient, the original kept while measuring, the direction, and the float64 network
 * used for the baseline, which counts as two) and the activations of the loss evaluated on all
 * n examples in one batch (pre-activations, activations and the float64 baseline pass):
 * <pre>
 *   bytes = 4 · (6·P + 4·n·W)            precision FLOAT
 *   bytes = 4 · (10·P + 6·n·W)           precision DOUBLE (float64 original and direction)
 * </pre>
 * The factors come from reading the measurement code, not from a profiler, so this is an
 * estimate: it ignores ND4J's workspaces and temporary buffers.
 */
final class JobMemory {

    private JobMemory() {
    }

    static long estimateBytes(int inputSize, List<Integer> hiddenLayers, int classCount, int trainSize,
            Precision precision) {
        long parameters = NetworkFactory.parameterCount(inputSize, hiddenLayers, classCount);
        long widths = inputSize + classCount;
        for (int width : hiddenLayers) {
            widths += width;
        }
        boolean inDouble = precision == Precision.DOUBLE;
        long parameterCopies = inDouble ? 10 : 6;
        long activationCopies = inDouble ? 6 : 4;
        return 4 * (parameterCopies * parameters + activationCopies * trainSize * widths);
    }

    /**
     * Estimates the extra off-heap bytes of the further measures: float32 parameter-sized
     * vectors, the most any one measure keeps alive at once, plus the copy of the trained
     * parameters every measure keeps and, with a reparameterization check, the rescaled network.
     * Lanczos with full reorthogonalization keeps one vector per step, so the Hessian dominates.
     */
    static long measureBytes(FlatnessSpec flatness, long parameters) {
        return measureBytes(flatness, parameters, true);
    }

    /** Estimates the extra bytes of the further measures as if no Hessian were requested. */
    static long measureBytesWithoutHessian(FlatnessSpec flatness, long parameters) {
        return measureBytes(flatness, parameters, false);
    }

    private static long measureBytes(FlatnessSpec flatness, long parameters, boolean withHessian) {
        long vectors = 0;
        if (flatness.slice() != null || flatness.interpolation() != null) {
            vectors = Math.max(vectors, 3);
        }
        if (flatness.surface() != null || flatness.pacBayes() != null) {
            vectors = Math.max(vectors, 4);
        }
        if (flatness.worstCase() != null || flatness.keskar() != null) {
            vectors = Math.max(vectors, 5);
        }
        if (withHessian && flatness.hessian() != null) {
            vectors = Math.max(vectors, hessianVectors(flatness.hessian()));
        }
        if (vectors == 0 && flatness.reparameterization() == null) {
            return 0;
        }
        long copies = 1 + (flatness.reparameterization() != null ? 2 : 0);
        return 4 * (vectors + copies) * parameters;
    }

    /**
     * Allowance, in parameter-sized float32 vectors, for what exact Hessian-vector products hold
     * besides the vectors the estimator counts. With MeasureProbe on 784-5000-5000-10, the
     * process's peak resident memory rose 5.7 GiB (about 49 vectors) during the default Hessian.
     * The estimator counts 23 of them, and ND4J's copies inside the matrix products and the
     * allocator's retained blocks are the likely rest.
     */
    private static final long EXACT_PRODUCT_VECTORS = 26;

    private static long hessianVectors(HessianSpec hessian) {
        long extra = hessian.product() == HessianSettings.Product.EXACT ? EXACT_PRODUCT_VECTORS : 0;
        return HessianEstimator.vectorsNeeded(FurtherMeasureSettings.hessian(hessian, 0)) + extra;
    }

    /** Returns the physical memory of the machine minus the JVM's maximum heap. */
    static long defaultBudgetBytes() {
        long physical = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getTotalMemorySize();
        return Math.max(0, physical - Runtime.getRuntime().maxMemory());
    }
}
