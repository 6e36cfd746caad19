package io.flatnesslab.experiment;

/** The network a measure ran on: the trained one or its rescaled equivalent. */
public enum NetworkVariant {

    /** The trained (or imported) parameters. */
    ORIGINAL,

    /** The same function with one layer scaled by α and the next by 1/α. */
    RESCALED
}
