package io.flatnesslab.training;

import java.util.List;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.random.impl.UniformDistribution;
import org.nd4j.linalg.api.rng.Random;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * Builder of the multilayer perceptrons the experiments train: ReLU hidden layers, a softmax
 * output layer and mean cross-entropy loss, all in float32, optimized by plain SGD (no
 * momentum, no weight decay).
 *
 * <p>Weights and biases are initialized as PyTorch's {@code nn.Linear} does by default:
 * uniform in [-1/sqrt(fan_in), 1/sqrt(fan_in)]. PyTorch writes the weight bound as
 * {@code kaiming_uniform(a = sqrt(5))}, which is gain * sqrt(3 / fan_in) with gain =
 * sqrt(2 / (1 + 5)), the same value.
 */
public final class NetworkFactory {

    private NetworkFactory() {
    }

    /**
     * Builds and initializes a network.
     *
     * @param inputSize number of input features
     * @param hiddenLayers width of each hidden layer, input side first
     * @param classCount number of outputs
     * @param learningRate SGD step size
     * @param initSeed seed of the random stream that draws the initial parameters
     */
    public static MultiLayerNetwork build(int inputSize, List<Integer> hiddenLayers, int classCount,
            double learningRate, long initSeed) {
        NeuralNetConfiguration.ListBuilder layers = new NeuralNetConfiguration.Builder()
                .seed(initSeed)
                .dataType(DataType.FLOAT)
                .updater(new Sgd(learningRate))
                .weightInit(WeightInit.ZERO)
                .trainingWorkspaceMode(WorkspaceMode.ENABLED)
                .inferenceWorkspaceMode(WorkspaceMode.ENABLED)
                .list();

        int fanIn = inputSize;
        for (int width : hiddenLayers) {
            layers.layer(new DenseLayer.Builder().nIn(fanIn).nOut(width).activation(Activation.RELU).build());
            fanIn = width;
        }
        layers.layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
                .nIn(fanIn)
                .nOut(classCount)
                .activation(Activation.SOFTMAX)
                .build());

        MultiLayerNetwork network = new MultiLayerNetwork(layers.build());
        network.init();
        initializeLikePyTorch(network, initSeed);
        return network;
    }

    /** Number of trainable parameters (weights and biases) of such a network. */
    public static long parameterCount(int inputSize, List<Integer> hiddenLayers, int classCount) {
        long count = 0;
        long fanIn = inputSize;
        for (int width : hiddenLayers) {
            count += fanIn * width + width;
            fanIn = width;
        }
        return count + fanIn * classCount + classCount;
    }

    private static void initializeLikePyTorch(MultiLayerNetwork network, long seed) {
        Random random = Nd4j.getRandomFactory().getNewRandomInstance(seed);
        try {
            for (Layer layer : network.getLayers()) {
                INDArray weights = layer.getParam("W");
                INDArray bias = layer.getParam("b");
                double bound = 1.0 / Math.sqrt(weights.size(0));

                // Fill in place: the parameters are views into the network's flat vector.
                Nd4j.getExecutioner().exec(new UniformDistribution(weights, -bound, bound), random);
                Nd4j.getExecutioner().exec(new UniformDistribution(bias, -bound, bound), random);
            }
        } finally {
            closeQuietly(random);
        }
    }

    private static void closeQuietly(Random random) {
        try {
            random.close();
        } catch (Exception e) {
            // Random.close() declares Exception, but the native generator only frees its state.
            throw new IllegalStateException("cannot release the native random generator", e);
        }
    }
}
