package io.flatnesslab.flatness;

/** Scaling of a random direction to the parameters it perturbs. */
public enum DirectionNormalization {
    GLOBAL, LAYER, FILTER, ELEMENTWISE
}
