package io.flatnesslab.flatness;

/**
 * Loss increases along one direction d, one entry per ε in the order of the measurement's
 * epsilons.
 *
 * @param plus L(θ + ε·d) − L(θ)
 * @param minus L(θ − ε·d) − L(θ), or null for a one-sided measurement
 */
public record DirectionIncreases(double[] plus, double[] minus) {
}
