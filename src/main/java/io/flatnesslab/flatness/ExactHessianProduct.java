package io.flatnesslab.flatness;

import java.util.ArrayList;
import java.util.List;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.lossfunctions.impl.LossMCXENT;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Exact Hessian-vector product of a ReLU network with a softmax output and mean cross-entropy
 * (the networks Flatness Lab trains and imports), by Pearlmutter's R-operator: the directional
 * derivative R{·} = d/dt(·)(θ₀ + t·v) at t = 0 of the forward and backward passes. For a batch X
 * of n examples with one-hot labels Y, A_0 = X, Z_l = A_(l−1)·W_l + b_l, D_l = [Z_l > 0],
 * A_l = Z_l ⊙ D_l, P = softmax(Z_L), and V_l, c_l the parts of v:
 * <pre>
 *   forward     R{Z_l} = R{A_(l−1)}·W_l + A_(l−1)·V_l + c_l,   R{A_l} = R{Z_l} ⊙ D_l,   R{A_0} = 0
 *   output      G_L = (P − Y)/n,   R{G_L} = (P ⊙ R{Z_L} − P ⊙ rowsum(P ⊙ R{Z_L}))/n
 *   backward    G_(l−1) = (G_l·W_lᵀ) ⊙ D_(l−1),   R{G_(l−1)} = (R{G_l}·W_lᵀ + G_l·V_lᵀ) ⊙ D_(l−1)
 *   product     (H·v)_(W_l) = R{A_(l−1)}ᵀ·G_l + A_(l−1)ᵀ·R{G_l},   (H·v)_(b_l) = colsum(R{G_l})
 * </pre>
 * ReLU is piecewise linear, so the masks D_l have zero derivative and the product is that of
 * automatic differentiation's double backward pass (as in PyTorch), with no step and no
 * truncation error. It costs about two gradient evaluations (two forward and two backward
 * products per layer) and is counted as two. DL4J's clipping of the softmax output to
 * [1e−10, 1 − 1e−10] is left out; it matters only for probabilities below 1e−10.
 *
 * <p>Memory: the activations, masks and their R-derivatives of all layers (n·Σ widths entries
 * each, 20 MB per 1000 × 5000 float32 layer), and no parameter-sized vector besides the output.
 */
final class ExactHessianProduct implements HessianVectorProduct {

    private final LossLandscape landscape;

    private final int depth;

    private final List<INDArray> activations = new ArrayList<>();

    private final List<INDArray> masks = new ArrayList<>();

    private final INDArray probabilities;

    private final INDArray outputGradient;

    /**
     * Runs the forward pass at θ₀ once; every product reuses it.
     *
     * @throws IllegalArgumentException when the network is not ReLU layers with a softmax
     *     cross-entropy output
     */
    ExactHessianProduct(LossLandscape landscape) {
        this.landscape = landscape;
        this.depth = landscape.layout().layers().size();
        checkArchitecture(landscape.network());

        INDArray theta = landscape.origin();
        INDArray features = landscape.data().getFeatures();
        long n = features.size(0);
        INDArray input = features;
        INDArray logits = null;
        for (int l = 0; l < depth; l++) {
            activations.add(input);
            INDArray z = input.mmul(landscape.layout().weights(theta, l))
                    .addiRowVector(landscape.layout().bias(theta, l).reshape(1, -1));
            if (l < depth - 1) {
                INDArray mask = z.gt(0).castTo(z.dataType());
                masks.add(mask);
                input = z.muli(mask);
            } else {
                logits = z;
            }
        }
        this.probabilities = Transforms.softmax(logits, false);
        this.outputGradient = probabilities.sub(landscape.data().getLabels()).divi(n);
    }

    @Override
    public void apply(INDArray unit, INDArray product) {
        landscape.countGradientEvaluations(2);
        ParameterLayout layout = landscape.layout();
        INDArray theta = landscape.origin();
        long n = probabilities.size(0);

        // Every intermediate is closed at the end: at 29.8 M parameters one product allocates
        // about 0.5 GB of them, and leaving them to the garbage collector stalls ND4J's allocator.
        List<INDArray> temporaries = new ArrayList<>();
        try {
            // Forward R-pass: rActivations[l] = R{A_l}, with R{A_0} = 0 left null.
            INDArray[] rActivations = new INDArray[depth];
            INDArray rLogits = null;
            for (int l = 0; l < depth; l++) {
                INDArray rZ = keep(temporaries, activations.get(l).mmul(layout.weights(unit, l)));
                rZ.addiRowVector(layout.bias(unit, l).reshape(1, -1));
                if (rActivations[l] != null) {
                    rZ.addi(keep(temporaries, rActivations[l].mmul(layout.weights(theta, l))));
                }
                if (l < depth - 1) {
                    rActivations[l + 1] = rZ.muli(masks.get(l));
                } else {
                    rLogits = rZ;
                }
            }

            INDArray weighted = keep(temporaries, probabilities.mul(rLogits));
            INDArray rowSums = keep(temporaries, weighted.sum(true, 1));
            INDArray rGradient = weighted.subi(keep(temporaries, probabilities.mulColumnVector(rowSums))).divi(n);
            INDArray gradient = outputGradient;

            // Backward R-pass from the output layer down, writing each layer's block of H·v.
            for (int l = depth - 1; l >= 0; l--) {
                INDArray weightBlock = keep(temporaries, activations.get(l).transpose().mmul(rGradient));
                if (rActivations[l] != null) {
                    weightBlock.addi(keep(temporaries, rActivations[l].transpose().mmul(gradient)));
                }
                layout.weights(product, l).assign(weightBlock);
                layout.bias(product, l).assign(keep(temporaries, rGradient.sum(0)));
                if (l == 0) {
                    break;
                }

                INDArray weightsTransposed = layout.weights(theta, l).transpose();
                INDArray mask = masks.get(l - 1);
                INDArray previousRGradient = keep(temporaries, rGradient.mmul(weightsTransposed))
                        .addi(keep(temporaries, gradient.mmul(layout.weights(unit, l).transpose()))).muli(mask);
                gradient = keep(temporaries, gradient.mmul(weightsTransposed)).muli(mask);
                rGradient = previousRGradient;
            }
        } finally {
            temporaries.forEach(INDArray::close);
        }
    }

    private static INDArray keep(List<INDArray> temporaries, INDArray array) {
        temporaries.add(array);
        return array;
    }

    @Override
    public void close() {
        for (int l = 1; l < activations.size(); l++) {
            activations.get(l).close();
        }
        masks.forEach(INDArray::close);
        probabilities.close();
        outputGradient.close();
    }

    private static void checkArchitecture(MultiLayerNetwork network) {
        int layers = network.getnLayers();
        for (int l = 0; l < layers; l++) {
            Layer layer = network.getLayer(l);
            org.deeplearning4j.nn.conf.layers.Layer configuration = layer.conf().getLayer();
            boolean output = l == layers - 1;
            boolean supported = configuration instanceof BaseLayer base && (output
                    ? configuration instanceof OutputLayer out && base.getActivationFn() instanceof ActivationSoftmax
                            && out.getLossFn() instanceof LossMCXENT
                    : base.getActivationFn() instanceof ActivationReLU);
            if (!supported) {
                throw new IllegalArgumentException("layer " + l + " is not " + (output
                        ? "a softmax output with cross-entropy loss" : "a ReLU dense layer")
                        + "; the exact Hessian-vector product supports only such networks, use CENTRAL_DIFFERENCE");
            }
        }
    }
}
