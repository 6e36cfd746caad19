package io.flatnesslab.flatness;

import java.util.Objects;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Sampler of random directions scaled to the parameters θ they perturb, by one of the
 * {@link DirectionNormalization} rules:
 * <pre>
 *   z ~ N(0, I), drawn in float32 from the seed by ND4J's native generator
 *   GLOBAL       d   = z / ||z||₂
 *   LAYER        d_l = z_l / ||z_l||₂ · ||θ_l||₂        block l = W_l and b_l of layer l
 *   FILTER       d_f = z_f / ||z_f||₂ · ||θ_f||₂        block f = W_l[:, j] (and b_l[j] with biases)
 *   ELEMENTWISE  d_i = |θ_i| · z_i
 * </pre>
 * A block whose ||θ_b||₂ or ||z_b||₂ is 0, such as a zero bias, gets d = 0 there. FILTER without
 * biases sets the bias entries of d to 0. For every rule except GLOBAL, ε in δ = ε·d is relative:
 * ||ε·d||₂ ≈ ε·||θ||₂.
 *
 * <p>z is drawn in float32 even when d is float64 and then cast, so float32 and float64
 * landscapes probe the same directions. GLOBAL gives the same values as
 * {@link RandomDirections#sampleUnit} for the same seed, so the classic measure is unchanged.
 *
 * <p>Memory: no parameter-sized temporary when d is float32. A float64 d needs one float32
 * vector for the draw. The per-filter norms take one value per neuron, and ELEMENTWISE and the
 * layer norms work in chunks of {@value #CHUNK} elements. Layer norms are summed in float64.
 */
public final class NormalizedDirections {

    /**
     * Elements handled at a time by ELEMENTWISE and by the float64 norms, so their temporaries
     * stay at 4 MiB in float32 and 8 MiB in float64.
     */
    private static final long CHUNK = 1 << 20;

    private NormalizedDirections() {
    }

    /**
     * Fills {@code direction} with the direction the normalization makes from the draw z of
     * {@code seed}. The same seed gives the same z for every normalization and precision.
     *
     * @param direction vector to fill, shaped like θ, float32 or float64
     * @param theta parameters d is scaled to; not modified
     * @param filterBiases with FILTER, whether each neuron's bias belongs to its filter; ignored
     *     by the other normalizations
     */
    public static void fill(INDArray direction, INDArray theta, ParameterLayout layout,
            DirectionNormalization normalization, boolean filterBiases, long seed) {
        Objects.requireNonNull(normalization, "normalization");
        checkLength("direction", direction, layout);
        checkLength("theta", theta, layout);

        if (normalization == DirectionNormalization.GLOBAL) {
            fillUnit(direction, seed);
            return;
        }

        RandomDirections.fillGaussian(direction, seed);
        switch (normalization) {
            case LAYER -> scaleLayers(direction, theta, layout);
            case FILTER -> scaleFilters(direction, theta, layout, filterBiases);
            case ELEMENTWISE -> scaleElementwise(direction, theta);
            default -> throw new IllegalStateException("unhandled normalization " + normalization);
        }
    }

    /**
     * Returns whether the loss increases along the normalized directions are exactly invariant
     * under {@link Reparameterization#rescale}, which multiplies W_l and b_l by α and W_{l+1} by
     * 1/α. They are when the rescaled parameters θ' give d' with θ' + ε·d' equal to the rescaled
     * θ + ε·d, because then both networks compute the same function:
     * <ul>
     * <li>ELEMENTWISE: yes, because |θ'_i| scales with each parameter.
     * <li>FILTER without biases: yes, because every filter is scaled by α or 1/α as a whole and
     * the bias entries of d are 0.
     * <li>FILTER with biases: no, because the filters of layer l+1 contain b_{l+1}, which the
     * rescaling leaves unchanged, so their norms do not scale by 1/α.
     * <li>LAYER: no, for the same reason, because the block of layer l+1 contains b_{l+1}.
     * <li>GLOBAL: no, because d has unit norm whatever the scale of θ.
     * </ul>
     */
    public static boolean invariantUnderRescaling(DirectionNormalization normalization, boolean filterBiases) {
        return switch (normalization) {
            case ELEMENTWISE -> true;
            case FILTER -> !filterBiases;
            case LAYER, GLOBAL -> false;
        };
    }

    private static void fillUnit(INDArray direction, long seed) {
        if (direction.dataType() == DataType.FLOAT) {
            RandomDirections.sampleUnit(direction, seed);
            return;
        }

        try (INDArray sample = Nd4j.createUninitialized(DataType.FLOAT, direction.shape())) {
            RandomDirections.sampleUnit(sample, seed);
            direction.assign(sample);
        }
    }

    private static void scaleLayers(INDArray direction, INDArray theta, ParameterLayout layout) {
        for (ParameterLayout.LayerBlock block : layout.layers()) {
            INDArray z = layout.layerView(direction, block.index());
            double zNorm = RandomDirections.norm2(z);
            double thetaNorm = RandomDirections.norm2(layout.layerView(theta, block.index()));
            z.muli(ratio(thetaNorm, zNorm));
        }
    }

    private static void scaleFilters(INDArray direction, INDArray theta, ParameterLayout layout,
            boolean filterBiases) {
        for (ParameterLayout.LayerBlock block : layout.layers()) {
            int layer = block.index();
            INDArray zWeights = layout.weights(direction, layer);
            INDArray zBias = layout.bias(direction, layer);
            double[] zNorms = columnNorms(zWeights);
            double[] thetaNorms = columnNorms(layout.weights(theta, layer));

            if (filterBiases) {
                double[] zBiasValues = zBias.toDoubleVector();
                double[] thetaBiasValues = layout.bias(theta, layer).toDoubleVector();
                for (int j = 0; j < zNorms.length; j++) {
                    zNorms[j] = Math.hypot(zNorms[j], zBiasValues[j]);
                    thetaNorms[j] = Math.hypot(thetaNorms[j], thetaBiasValues[j]);
                }
            }

            double[] factors = new double[zNorms.length];
            for (int j = 0; j < factors.length; j++) {
                factors[j] = ratio(thetaNorms[j], zNorms[j]);
            }
            try (INDArray scale = Nd4j.createFromArray(factors).castTo(direction.dataType())) {
                zWeights.muliRowVector(scale);
                if (filterBiases) {
                    zBias.muli(scale);
                } else {
                    zBias.assign(0);
                }
            }
        }
    }

    /** Returns the L2 norm of each column of {@code weights}, that is of each neuron's filter. */
    private static double[] columnNorms(INDArray weights) {
        try (INDArray norms = weights.norm2(0)) {
            return norms.toDoubleVector();
        }
    }

    private static void scaleElementwise(INDArray direction, INDArray theta) {
        long n = direction.length();
        for (long from = 0; from < n; from += CHUNK) {
            long to = Math.min(n, from + CHUNK);
            INDArray magnitude = Transforms.abs(ParameterLayout.range(theta, from, to), true);
            INDArray cast = magnitude.dataType() == direction.dataType() ? magnitude
                    : magnitude.castTo(direction.dataType());

            ParameterLayout.range(direction, from, to).muli(cast);

            magnitude.close();
            if (cast != magnitude) {
                cast.close();
            }
        }
    }

    /** Returns target / norm, or 0 when norm is 0, so a zero block of z stays 0 instead of NaN. */
    private static double ratio(double target, double norm) {
        return norm == 0 ? 0 : target / norm;
    }

    private static void checkLength(String name, INDArray vector, ParameterLayout layout) {
        if (vector.length() != layout.parameterCount()) {
            throw new IllegalArgumentException(name + " has " + vector.length() + " elements but the network has "
                    + layout.parameterCount() + " parameters");
        }
    }
}
