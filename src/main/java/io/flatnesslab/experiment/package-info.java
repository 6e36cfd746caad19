/**
 * Experiments: the spec researchers submit, its validation, the stored experiment with its
 * training runs and loss increases, and the REST API that submits, lists, cancels and reports
 * them. The {@code job} module runs them through {@link io.flatnesslab.experiment.ExperimentLifecycle}.
 */
@org.springframework.modulith.ApplicationModule(displayName = "Experiments", allowedDependencies = {"dataset", "training", "flatness", "snapshot"})
package io.flatnesslab.experiment;
