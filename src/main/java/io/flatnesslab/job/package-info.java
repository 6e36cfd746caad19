/**
 * Execution of experiments: a bounded executor that runs queued experiments in the order they
 * were submitted, recovers the queue after a restart, and runs each experiment's pipeline of
 * data preparation, training, measuring and storing.
 */
@org.springframework.modulith.ApplicationModule(displayName = "Jobs",
        allowedDependencies = {"experiment", "dataset", "training", "flatness", "snapshot"})
package io.flatnesslab.job;
