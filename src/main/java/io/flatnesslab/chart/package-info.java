/**
 * Charts of results rendered on demand as PNG with JFreeChart: loss increase against ε with
 * error bars, one series per group, and the landscape measures (slices, surfaces with contour
 * lines and their CSV, interpolations, Hessian spectral densities).
 */
@org.springframework.modulith.ApplicationModule(displayName = "Charts", allowedDependencies = {"experiment", "flatness"})
package io.flatnesslab.chart;
