package io.flatnesslab.flatness;

/** Floating-point type in which perturbed losses are evaluated. */
public enum Precision {

    /** float32, the type the network was trained in. */
    FLOAT,

    /**
     * float64: the trained float32 parameters, data and directions are cast to float64 and the
     * losses are computed in float64. Nothing is retrained.
     */
    DOUBLE
}
