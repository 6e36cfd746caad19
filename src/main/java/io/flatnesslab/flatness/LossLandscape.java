package io.flatnesslab.flatness;

import java.util.function.BooleanSupplier;

import io.flatnesslab.training.TrainingCancelledException;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Training loss of one network as a function of its parameters, L(θ), around the trained
 * parameters θ₀ it was created with. Every measure beyond the classic one evaluates losses,
 * accuracies and gradients through this class, which counts them, polls for cancellation and
 * puts θ₀ back when closed.
 *
 * <p>The loss is DL4J's mean cross-entropy, −(1/n)·Σ log clip(p_y, 1e−10, 1 − 1e−10), computed
 * here from one forward pass in inference mode together with the accuracy; it agrees with
 * {@code MultiLayerNetwork.score(data, false)} to round-off. The gradient is ∇L(θ) of that mean
 * loss by backpropagation. DL4J 1.0.0-M2.1 returns the gradient of the summed loss and divides by
 * the minibatch size only in its updater, so it is divided by n here.
 *
 * <p>In {@link Precision#DOUBLE} the landscape works on a float64 copy of the network and data,
 * and all vectors passed in must be float64 ({@link #newVector()} makes them). Not thread-safe:
 * one instance per job thread.
 */
public final class LossLandscape implements AutoCloseable {

    /** Clipping of the softmax output that DL4J's MCXENT loss applies before the logarithm. */
    private static final double SOFTMAX_CLIP = 1e-10;

    private final MultiLayerNetwork network;

    private final boolean ownsNetwork;

    private final DataSet data;

    private final INDArray origin;

    private final ParameterLayout layout;

    private final EvaluationListener listener;

    private final BooleanSupplier cancelled;

    private long lossEvaluations;

    private long gradientEvaluations;

    /**
     * Wraps {@code trained}, whose current parameters become θ₀.
     *
     * @param data the examples L averages over, float32
     * @param cancelled polled before every evaluation; when it returns true the evaluation throws
     *     {@link TrainingCancelledException}
     */
    public LossLandscape(MultiLayerNetwork trained, DataSet data, Precision precision, EvaluationListener listener,
            BooleanSupplier cancelled) {
        boolean inDouble = precision == Precision.DOUBLE;
        this.network = inDouble ? trained.convertDataType(DataType.DOUBLE) : trained;
        this.ownsNetwork = inDouble;
        this.data = inDouble ? cast(data, DataType.DOUBLE) : data;
        this.origin = network.params().dup();
        this.layout = ParameterLayout.of(trained);
        this.listener = listener;
        this.cancelled = cancelled;
    }

    /** Wraps {@code trained} in float32 with no listener and no cancellation. */
    public static LossLandscape of(MultiLayerNetwork trained, DataSet data) {
        return new LossLandscape(trained, data, Precision.FLOAT, EvaluationListener.NONE, () -> false);
    }

    public ParameterLayout layout() {
        return layout;
    }

    public long parameterCount() {
        return layout.parameterCount();
    }

    public DataType dataType() {
        return origin.dataType();
    }

    /** Returns the examples L averages over, in the landscape's type. */
    public DataSet data() {
        return data;
    }

    /** θ₀. Callers must not modify it. */
    public INDArray origin() {
        return origin;
    }

    /** Returns a new zero vector shaped like θ in the landscape's type. */
    public INDArray newVector() {
        return Nd4j.zeros(origin.dataType(), origin.shape());
    }

    public long lossEvaluations() {
        return lossEvaluations;
    }

    public long gradientEvaluations() {
        return gradientEvaluations;
    }

    /** Evaluates L and the accuracy at {@code theta} on all examples. */
    public LossAccuracy evaluate(INDArray theta) {
        return evaluate(theta, data);
    }

    /** Evaluates L and the accuracy at {@code theta} on {@code examples} (in the landscape's type). */
    public LossAccuracy evaluate(INDArray theta, DataSet examples) {
        checkCancelled();
        network.params().assign(theta);
        INDArray output = network.output(examples.getFeatures(), false);
        LossAccuracy result = lossAndAccuracy(output, examples.getLabels());
        output.close();

        lossEvaluations++;
        listener.onLossEvaluation();
        return result;
    }

    /** Evaluates L and the accuracy at θ₀ + {@code delta} on all examples. */
    public LossAccuracy evaluateOffset(INDArray delta) {
        INDArray theta = origin.add(delta);
        try {
            return evaluate(theta);
        } finally {
            theta.close();
        }
    }

    /**
     * Writes ∇L({@code theta}) on all examples into {@code gradient}.
     *
     * @return L(theta)
     */
    public double gradient(INDArray theta, INDArray gradient) {
        return gradient(theta, data, gradient);
    }

    /**
     * Writes ∇L({@code theta}) on {@code examples} into {@code gradient}.
     *
     * @return L(theta) on {@code examples}
     */
    public double gradient(INDArray theta, DataSet examples, INDArray gradient) {
        checkCancelled();
        network.params().assign(theta);
        network.setInput(examples.getFeatures());
        network.setLabels(examples.getLabels());
        network.computeGradientAndScore();
        double loss = network.score();
        gradient.assign(network.gradient().gradient()).divi(examples.numExamples());
        network.clear();

        gradientEvaluations++;
        listener.onGradientEvaluation();
        return loss;
    }

    /** Returns the network, which is at θ₀ unless an evaluation is in progress. */
    MultiLayerNetwork network() {
        return network;
    }

    /**
     * Counts {@code count} gradient evaluations made outside this class, such as an exact
     * Hessian-vector product, after polling for cancellation.
     */
    void countGradientEvaluations(int count) {
        checkCancelled();
        for (int i = 0; i < count; i++) {
            gradientEvaluations++;
            listener.onGradientEvaluation();
        }
    }

    /** Puts θ₀ back into the network's parameters. */
    public void restore() {
        network.params().assign(origin);
    }

    /** Puts θ₀ back and frees the copies this landscape made. */
    @Override
    public void close() {
        restore();
        origin.close();
        if (ownsNetwork) {
            network.close();
        }
    }

    /** Returns features and labels of {@code data} cast to {@code type}. */
    public static DataSet cast(DataSet data, DataType type) {
        return new DataSet(data.getFeatures().castTo(type), data.getLabels().castTo(type));
    }

    /** Returns the examples of {@code data} at rows [from, to), in the same type. */
    public static DataSet rows(DataSet data, int from, int to) {
        return new DataSet(data.getFeatures().get(NDArrayIndex.interval(from, to),
                NDArrayIndex.all()).dup(),
                data.getLabels().get(NDArrayIndex.interval(from, to),
                        NDArrayIndex.all()).dup());
    }

    private void checkCancelled() {
        if (cancelled.getAsBoolean()) {
            throw new TrainingCancelledException();
        }
    }

    private static LossAccuracy lossAndAccuracy(INDArray probabilities, INDArray oneHotLabels) {
        long n = probabilities.size(0);
        INDArray clipped = Transforms.min(Transforms.max(probabilities, SOFTMAX_CLIP, true), 1 - SOFTMAX_CLIP, false);
        double loss = -Transforms.log(clipped, false).muli(oneHotLabels).sumNumber().doubleValue() / n;
        clipped.close();

        INDArray predicted = probabilities.argMax(1);
        INDArray expected = oneHotLabels.argMax(1);
        double correct = predicted.eq(expected).castTo(DataType.INT).sumNumber().doubleValue();
        return new LossAccuracy(loss, correct / n);
    }
}
