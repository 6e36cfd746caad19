/**
 * Datasets in the IDX format (MNIST, Fashion-MNIST, KMNIST and others): reading the files,
 * the embedded {@code mnist-10k} default, extra datasets from a configured directory, and
 * {@code GET /api/datasets}.
 */
@org.springframework.modulith.ApplicationModule(displayName = "Datasets")
package io.flatnesslab.dataset;
