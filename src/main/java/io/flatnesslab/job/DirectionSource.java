package io.flatnesslab.job;

import io.flatnesslab.experiment.ExperimentSpec;
import io.flatnesslab.flatness.DirectionNormalization;
import io.flatnesslab.flatness.FlatnessMeter;
import io.flatnesslab.flatness.NormalizedDirections;
import io.flatnesslab.flatness.ParameterLayout;
import io.flatnesslab.flatness.RandomDirections;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The random directions of one run's classic measure, drawn from a seed derived from the
 * experiment seed, the group, the run and the direction, and normalized as the spec requests. A
 * normalization other than GLOBAL scales by the parameters, so it keeps a copy of them taken
 * before the measure perturbs the network.
 */
final class DirectionSource implements FlatnessMeter.DirectionSource, AutoCloseable {

    private final long seed;

    private final String group;

    private final int run;

    private final DirectionNormalization normalization;

    private final boolean filterBiases;

    private final INDArray theta;

    private final ParameterLayout layout;

    private DirectionSource(ExperimentSpec spec, String group, int run, MultiLayerNetwork network) {
        this.seed = spec.seed();
        this.group = group;
        this.run = run;
        this.normalization = spec.flatness().normalization();
        this.filterBiases = spec.flatness().filterBiases();
        boolean global = normalization == DirectionNormalization.GLOBAL;
        this.theta = global ? null : network.params().dup();
        this.layout = global ? null : ParameterLayout.of(network);
    }

    static DirectionSource of(ExperimentSpec spec, String group, int run, MultiLayerNetwork network) {
        return new DirectionSource(spec, group, run, network);
    }

    @Override
    public void fill(int k, INDArray direction) {
        long directionSeed = Seeds.derive(seed, "direction", group, run, k);
        if (theta == null) {
            RandomDirections.sampleUnit(direction, directionSeed);
        } else {
            NormalizedDirections.fill(direction, theta, layout, normalization, filterBiases, directionSeed);
        }
    }

    @Override
    public void close() {
        if (theta != null) {
            theta.close();
        }
    }
}
