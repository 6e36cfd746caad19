package io.flatnesslab.flatness;

/**
 * Mean cross-entropy and classification accuracy of a network on a set of examples.
 *
 * @param accuracy fraction of examples whose largest output is the label, in [0, 1]
 */
public record LossAccuracy(double loss, double accuracy) {

    /** Classification error 1 − accuracy. */
    public double error() {
        return 1 - accuracy;
    }
}
