package io.flatnesslab.experiment;

/** A flatness measure beyond the classic random directions, stored one document per run. */
public enum MeasureKind {

    /** Train and test loss and accuracy and their gap. */
    GENERALIZATION,

    /** Loss increases along random directions, stored for the rescaled network only. */
    RANDOM_DIRECTIONS,

    SLICE,

    SURFACE,

    /** Interpolation from a run to the next run of its group, stored under the first run. */
    INTERPOLATION,

    WORST_CASE,

    KESKAR,

    HESSIAN,

    PAC_BAYES
}
