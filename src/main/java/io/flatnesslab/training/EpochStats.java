package io.flatnesslab.training;

/**
 * Loss and accuracy of one epoch, both averaged over the epoch's minibatches as they were
 * trained, each minibatch measured with the parameters before its own update.
 *
 * @param epoch 1-based epoch number
 * @param meanLoss example-weighted mean cross-entropy
 * @param accuracy fraction of examples classified correctly
 */
public record EpochStats(int epoch, double meanLoss, double accuracy) {
}
