package io.flatnesslab.training;

/**
 * Hyperparameters of one training run.
 *
 * @param learningRate SGD step size
 * @param batchSize examples per minibatch; the last minibatch of an epoch may be smaller
 * @param maxEpochs upper bound on the number of passes over the training data
 * @param stopAtFullTrainAccuracy stop after the first epoch whose on-the-fly training accuracy
 *     is 100 %
 */
public record TrainingSettings(double learningRate, int batchSize, int maxEpochs, boolean stopAtFullTrainAccuracy) {
}
