/**
 * Storage of trained parameters as DL4J model files in H2 BLOBs, written and read as streams
 * so that a 29M-parameter model (about 116 MB) never sits in the heap twice.
 */
@org.springframework.modulith.ApplicationModule(displayName = "Snapshots")
package io.flatnesslab.snapshot;
