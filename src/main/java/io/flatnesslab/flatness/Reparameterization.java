package io.flatnesslab.flatness;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Function-preserving changes of a ReLU network's parameters, used to check which flatness
 * measures depend only on the function the network computes.
 *
 * <p>ReLU is positively homogeneous, relu(α·x) = α·relu(x) for α > 0. Multiplying the weights
 * W_l and bias b_l of a ReLU layer l by α multiplies its output by α, and multiplying W_{l+1} of
 * the next layer by 1/α undoes that before b_{l+1} is added, so the network computes the same
 * function. Dinh, Pascanu, Bengio and Bengio, "Sharp Minima Can Generalize For Deep Nets"
 * (ICML 2017), use this to make a minimum arbitrarily sharp or flat for measures that are not
 * invariant to it.
 */
public final class Reparameterization {

    private Reparameterization() {
    }

    /**
     * Returns a copy of {@code theta} with W_l and b_l of layer {@code layer} multiplied by
     * {@code alpha} and W_{l+1} multiplied by 1/{@code alpha}, b_{l+1} unchanged. The network
     * function is unchanged when layer {@code layer} is a ReLU layer.
     * {@code theta} is not modified.
     *
     * @param layer 0-based index of a layer that has a following layer
     * @param alpha positive finite factor
     */
    public static INDArray rescale(INDArray theta, ParameterLayout layout, int layer, double alpha) {
        int layerCount = layout.layers().size();
        if (layerCount < 2) {
            throw new IllegalArgumentException("rescaling needs at least 2 layers but the network has " + layerCount);
        }
        if (layer < 0 || layer > layerCount - 2) {
            throw new IllegalArgumentException("layer " + layer + " is outside [0, " + (layerCount - 2)
                    + "], the layers that have a following layer");
        }
        if (!(alpha > 0) || Double.isInfinite(alpha)) {
            throw new IllegalArgumentException("alpha " + alpha + " is invalid (expected a positive finite number)");
        }
        if (theta.length() != layout.parameterCount()) {
            throw new IllegalArgumentException("theta has " + theta.length() + " elements but the network has "
                    + layout.parameterCount() + " parameters");
        }

        INDArray rescaled = theta.dup();
        layout.layerView(rescaled, layer).muli(alpha);
        ParameterLayout.LayerBlock next = layout.layer(layer + 1);
        ParameterLayout.range(rescaled, next.weightOffset(), next.biasOffset()).divi(alpha);
        return rescaled;
    }
}
