/**
 * Charts of results rendered on demand as PNG with JFreeChart: loss increase against ε with
 * error bars, one series per group.
 */
@org.springframework.modulith.ApplicationModule(displayName = "Charts", allowedDependencies = "experiment")
package io.flatnesslab.chart;
