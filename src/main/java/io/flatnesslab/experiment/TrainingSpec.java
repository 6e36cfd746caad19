package io.flatnesslab.experiment;

import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Positive;

/**
 * Plain SGD settings: no momentum, no weight decay, examples reshuffled every epoch.
 *
 * @param learningRate SGD step size; default 0.1
 * @param batchSize examples per minibatch; default 64
 * @param maxEpochs maximum passes over the training data; default 30
 * @param stopAtFullTrainAccuracy stop after the first epoch with 100 % training accuracy,
 *     counted on the fly over the epoch's minibatches before each update; default true
 */
@Schema(description = "Plain SGD: no momentum, no weight decay, reshuffled every epoch")
public record TrainingSpec(
        @Schema(example = "0.1", defaultValue = "0.1")
        @Positive(message = "must be a positive finite number, e.g. 0.1") Double learningRate,
        @Schema(example = "64", defaultValue = "64")
        @Min(value = 1, message = "must be at least 1") @Max(value = 100_000, message = "must be at most 100000") Integer batchSize,
        @Schema(example = "30", defaultValue = "30")
        @Min(value = 1, message = "must be at least 1") @Max(value = 10_000, message = "must be at most 10000") Integer maxEpochs,
        @Schema(description = "Stop after the first epoch whose on-the-fly training accuracy is 100 %", defaultValue = "true")
        Boolean stopAtFullTrainAccuracy) {

    public TrainingSpec {
        learningRate = learningRate == null ? 0.1 : learningRate;
        batchSize = batchSize == null ? 64 : batchSize;
        maxEpochs = maxEpochs == null ? 30 : maxEpochs;
        stopAtFullTrainAccuracy = stopAtFullTrainAccuracy == null ? Boolean.TRUE : stopAtFullTrainAccuracy;
    }

    static TrainingSpec defaults() {
        return new TrainingSpec(null, null, null, null);
    }
}
