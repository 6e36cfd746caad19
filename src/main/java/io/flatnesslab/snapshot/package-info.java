/**
 * Storage of trained parameters as DL4J model files in H2 BLOBs, written and read as streams
 * so that a 29M-parameter model (about 116 MB) never sits in the heap twice. The module also
 * exports to and imports from PyTorch's safetensors format, and serves the imported models API.
 */
@org.springframework.modulith.ApplicationModule(displayName = "Snapshots", allowedDependencies = {"dataset", "training"})
package io.flatnesslab.snapshot;
