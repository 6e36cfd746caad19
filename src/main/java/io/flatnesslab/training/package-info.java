/**
 * Training of multilayer perceptrons with DL4J: network construction with PyTorch's
 * {@code nn.Linear} initialization and a plain SGD loop that counts training accuracy on the
 * fly. Pure computation: no persistence, no web.
 */
@org.springframework.modulith.ApplicationModule(displayName = "Training", allowedDependencies = "dataset")
package io.flatnesslab.training;
