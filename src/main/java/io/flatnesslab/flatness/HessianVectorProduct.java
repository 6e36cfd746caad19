package io.flatnesslab.flatness;

import org.nd4j.linalg.api.ndarray.INDArray;

/** Product H·v of the Hessian of a landscape's loss at θ₀ with a unit vector v. */
interface HessianVectorProduct extends AutoCloseable {

    /** Writes H·{@code unit} into {@code product}, counting two gradient evaluations on the landscape. */
    void apply(INDArray unit, INDArray product);

    @Override
    void close();
}
