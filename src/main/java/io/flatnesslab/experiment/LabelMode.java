package io.flatnesslab.experiment;

/** Labels a group trains on. */
public enum LabelMode {

    /** The dataset's own labels. */
    NATURAL,

    /**
     * Labels drawn uniformly over the classes, once per experiment, and shared by every RANDOM
     * group of that experiment.
     */
    RANDOM
}
