/**
 * Flatness measures of a trained network: the rise of the training loss along random
 * directions of fixed L2 norm, and the statistics over directions and runs. Pure computation:
 * no persistence, no web.
 */
@org.springframework.modulith.ApplicationModule(displayName = "Flatness", allowedDependencies = {"dataset", "training"})
package io.flatnesslab.flatness;
