package io.flatnesslab.training;

/** Raised inside a training or measuring loop when its job was cancelled. */
public class TrainingCancelledException extends RuntimeException {

    public TrainingCancelledException() {
        super("cancelled on request");
    }
}
