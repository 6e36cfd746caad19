package io.flatnesslab.flatness;

import java.util.function.BooleanSupplier;
import java.util.function.IntToLongFunction;

import io.flatnesslab.training.TrainingCancelledException;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Measurer of the classic sharpness probe: how much the training loss rises when all parameters
 * are moved a distance ε along a random direction.
 *
 * <p>For a network with parameters θ (all weights and biases, flattened) and training data X:
 * <pre>
 *   L(θ)      = mean cross-entropy over X, inference mode         (baseline loss)
 *   d_k       = g_k / ||g_k||_2,  g_k ~ N(0, I) over all parameters
 *   ΔL(ε, k)  = L(θ + ε·d_k) − L(θ)
 * </pre>
 * Each direction is drawn once and reused for every ε, so the curves over ε are comparable.
 * The parameters are restored bit for bit afterwards from a copy of θ, also when the
 * measurement fails or is cancelled.
 */
public final class FlatnessMeter {

    private FlatnessMeter() {
    }

    /** Source of the unit directions d_k. */
    @FunctionalInterface
    public interface DirectionSource {

        /** Fills {@code direction}, shaped like the parameter vector, with unit direction k. */
        void fill(int k, INDArray direction);
    }

    /**
     * Measures the loss increases of {@code network} on {@code data} along seeded random
     * directions.
     *
     * @param directionSeed seed of direction k, so any direction can be recomputed on its own
     * @param cancelled polled before each loss evaluation
     */
    public static FlatnessMeasurement measure(MultiLayerNetwork network, DataSet data, double[] epsilons,
            int directions, IntToLongFunction directionSeed, BooleanSupplier cancelled) {
        return measure(network, data, epsilons, directions,
                (k, direction) -> RandomDirections.sampleUnit(direction, directionSeed.applyAsLong(k)), cancelled);
    }

    /**
     * Measures the loss increases of {@code network} on {@code data} along the directions a
     * source provides, for example directions exported from another framework.
     *
     * @param cancelled polled before each loss evaluation
     */
    public static FlatnessMeasurement measure(MultiLayerNetwork network, DataSet data, double[] epsilons,
            int directions, DirectionSource source, BooleanSupplier cancelled) {
        double baseline = network.score(data, false);
        double[][] increases = new double[epsilons.length][directions];

        INDArray parameters = network.params();
        INDArray original = parameters.dup();
        INDArray direction = Nd4j.createUninitialized(DataType.FLOAT, parameters.shape());

        try {
            for (int k = 0; k < directions; k++) {
                source.fill(k, direction);

                for (int e = 0; e < epsilons.length; e++) {
                    if (cancelled.getAsBoolean()) {
                        throw new TrainingCancelledException();
                    }
                    // θ + ε·d written into the live parameter vector: params() is the flat
                    // array the layers' weight and bias views point into.
                    parameters.assign(direction).muli(epsilons[e]).addi(original);
                    increases[e][k] = network.score(data, false) - baseline;
                }
            }
        } finally {
            parameters.assign(original);
            original.close();
            direction.close();
        }
        return new FlatnessMeasurement(baseline, epsilons.clone(), increases);
    }
}
