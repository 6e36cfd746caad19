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
     * source provides, one-sided and in float32.
     *
     * @param cancelled polled before each loss evaluation
     */
    public static FlatnessMeasurement measure(MultiLayerNetwork network, DataSet data, double[] epsilons,
            int directions, DirectionSource source, BooleanSupplier cancelled) {
        return measure(network, data, epsilons, directions, source, false, Precision.FLOAT, cancelled);
    }

    /**
     * Measures the loss increases of {@code network} on {@code data} along the directions a
     * source provides, all directions from the start.
     *
     * @param cancelled polled before each loss evaluation
     */
    public static FlatnessMeasurement measure(MultiLayerNetwork trained, DataSet data, double[] epsilons,
            int directions, DirectionSource source, boolean twoSided, Precision precision, BooleanSupplier cancelled) {
        return measure(trained, data, epsilons, directions, source, twoSided, precision,
                new DirectionIncreases[directions], MeasurementListener.NONE, cancelled);
    }

    /**
     * Measures the loss increases of {@code network} on {@code data} along the directions a
     * source provides, skipping the directions measured before.
     *
     * <p>With {@code twoSided}, each direction is also evaluated at θ − ε·d (antithetic pairs),
     * which splits the change into a curvature part ½[L(θ+εd) + L(θ−εd)] − L(θ) = ½ε²·dᵀHd +
     * O(ε⁴) and a first-order part ½[L(θ+εd) − L(θ−εd)] = ε·gᵀd + O(ε³), g and H being the
     * gradient and Hessian at θ. With {@link Precision#DOUBLE} the float32 parameters, data
     * and directions are cast to float64 first. The directions are drawn in float32 either way,
     * so both precisions probe the same directions. L(θ) is always computed in both precisions
     * to estimate the float32 round-off.
     *
     * <p>A direction measured before ({@code done[k]} not null) is neither drawn nor evaluated
     * again, because direction k depends only on k: a measurement resumed from stored directions
     * gives the same values as one run in a single pass.
     *
     * @param done increases of the directions measured before, by direction; null entries are
     *     measured now
     * @param listener receiver of every loss evaluation and every finished direction
     * @param cancelled polled before each loss evaluation
     */
    public static FlatnessMeasurement measure(MultiLayerNetwork trained, DataSet data, double[] epsilons,
            int directions, DirectionSource source, boolean twoSided, Precision precision, DirectionIncreases[] done,
            MeasurementListener listener, BooleanSupplier cancelled) {
        if (done.length != directions) {
            throw new IllegalArgumentException(done.length + " stored directions for " + directions + " directions");
        }
        double float32Loss = trained.score(data, false);
        MultiLayerNetwork doubleNetwork = trained.convertDataType(DataType.DOUBLE);
        DataSet doubleData = new DataSet(data.getFeatures().castTo(DataType.DOUBLE), data.getLabels().castTo(DataType.DOUBLE));
        double float64Loss = doubleNetwork.score(doubleData, false);

        boolean inDouble = precision == Precision.DOUBLE;
        MultiLayerNetwork network = inDouble ? doubleNetwork : trained;
        DataSet evaluated = inDouble ? doubleData : data;
        double baseline = inDouble ? float64Loss : float32Loss;
        listener.onBaseline(baseline, float32Loss, float64Loss);

        double[][] increases = new double[epsilons.length][directions];
        double[][] minusIncreases = twoSided ? new double[epsilons.length][directions] : null;
        INDArray parameters = network.params();
        INDArray original = parameters.dup();
        INDArray sampled = Nd4j.createUninitialized(DataType.FLOAT, parameters.shape());
        INDArray direction = inDouble ? Nd4j.createUninitialized(DataType.DOUBLE, parameters.shape()) : sampled;

        try {
            for (int k = 0; k < directions; k++) {
                DirectionIncreases measured = done[k];
                if (measured == null) {
                    measured = measureDirection(k, source, network, evaluated, parameters, original, sampled, direction,
                            inDouble, epsilons, baseline, twoSided, listener, cancelled);
                    listener.onDirection(k, measured);
                }
                for (int e = 0; e < epsilons.length; e++) {
                    increases[e][k] = measured.plus()[e];
                    if (twoSided) {
                        minusIncreases[e][k] = measured.minus()[e];
                    }
                }
            }
        } finally {
            parameters.assign(original);
            original.close();
            sampled.close();
            if (inDouble) {
                direction.close();
            }
            doubleNetwork.close();
        }
        return new FlatnessMeasurement(baseline, epsilons.clone(), increases, minusIncreases, float32Loss, float64Loss);
    }

    private static DirectionIncreases measureDirection(int k, DirectionSource source, MultiLayerNetwork network,
            DataSet evaluated,
            INDArray parameters, INDArray original, INDArray sampled, INDArray direction, boolean inDouble,
            double[] epsilons, double baseline, boolean twoSided, MeasurementListener listener, BooleanSupplier cancelled) {
        source.fill(k, sampled);
        if (inDouble) {
            direction.assign(sampled);
        }

        double[] plus = new double[epsilons.length];
        double[] minus = twoSided ? new double[epsilons.length] : null;
        for (int e = 0; e < epsilons.length; e++) {
            if (cancelled.getAsBoolean()) {
                throw new TrainingCancelledException();
            }
            // θ ± ε·d written into the live parameter vector: params() is the flat
            // array the layers' weight and bias views point into.
            parameters.assign(direction).muli(epsilons[e]).addi(original);
            plus[e] = network.score(evaluated, false) - baseline;
            if (twoSided) {
                parameters.assign(direction).muli(-epsilons[e]).addi(original);
                minus[e] = network.score(evaluated, false) - baseline;
            }
            listener.onEvaluation(k, e);
        }
        parameters.assign(original);
        return new DirectionIncreases(plus, minus);
    }
}
