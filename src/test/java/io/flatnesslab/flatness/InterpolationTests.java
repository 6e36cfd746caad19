package io.flatnesslab.flatness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;

import io.flatnesslab.dataset.LabeledData;
import io.flatnesslab.training.Tensors;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Checks the line between two independently trained networks against each network's own loss,
 * a brute-force barrier and DL4J's score of the midpoint.
 */
class InterpolationTests {

    private static DataSet data;

    private static MultiLayerNetwork networkA;

    private static MultiLayerNetwork networkB;

    @BeforeAll
    static void trainTwoNetworks() {
        LabeledData digits = TinyNetworks.digits(120);
        data = Tensors.dataSet(digits);
        networkA = TinyNetworks.trained(List.of(10), 51, digits);
        networkB = TinyNetworks.trained(List.of(10), 52, digits);
    }

    @Test
    void endpointsEqualOwnLosses() {
        double[] t = {-0.5, 0, 0.25, 0.5, 0.75, 1, 1.5};

        Interpolation.InterpolationResult line = assertEndpointsEqualOwnLosses(t, t.length);

        assertThat(line.loss()[1]).isEqualTo(line.lossA());
        assertThat(line.loss()[5]).isEqualTo(line.lossB());
    }

    @Test
    void gridWithoutEndpointsEvaluatesThem() {
        double[] t = {0.25, 0.5, 0.75};

        Interpolation.InterpolationResult line = assertEndpointsEqualOwnLosses(t, t.length + 2);

        assertThat(line.loss()).hasSize(3);
    }

    @Test
    void barrierMatchesBruteForce() {
        double[] t = LandscapeScan.centredGrid(-0.25, 1.25, 13);

        try (LossLandscape landscapeA = LossLandscape.of(networkA, data)) {
            Interpolation.InterpolationResult line = Interpolation.measure(landscapeA, networkB.params(), t);

            double mean = (line.lossA() + line.lossB()) / 2;
            double expected = Math.max(line.lossA(), line.lossB()) - mean;
            for (int i = 0; i < t.length; i++) {
                if (t[i] >= 0 && t[i] <= 1) {
                    expected = Math.max(expected, line.loss()[i] - mean);
                }
            }
            assertThat(line.barrier()).isEqualTo(expected);
            assertThat(lossAt(line, line.barrierT()) - mean).isEqualTo(expected);
            assertThat(line.barrierT()).isBetween(0.0, 1.0);
        }
    }

    @Test
    void midpointMatchesNetworkScore() {
        try (LossLandscape landscapeA = LossLandscape.of(networkA, data)) {
            Interpolation.InterpolationResult line = Interpolation.measure(landscapeA, networkB.params(),
                    new double[] {0.5});

            MultiLayerNetwork midpoint = networkA.clone();
            midpoint.setParams(networkA.params().add(networkB.params()).muli(0.5));
            double score = midpoint.score(data, false);
            assertThat(line.loss()[0]).isCloseTo(score, within(1e-5 * score));
        }
    }

    @Test
    void selfInterpolationIsFlat() {
        double[] t = LandscapeScan.centredGrid(-0.5, 1.5, 9);

        try (LossLandscape landscapeA = new LossLandscape(networkA, data, Precision.DOUBLE, EvaluationListener.NONE,
                () -> false)) {
            double ownLoss = landscapeA.evaluate(landscapeA.origin()).loss();

            Interpolation.InterpolationResult line = Interpolation.measure(landscapeA, networkA.params(), t);

            assertThat(line.lossA()).isEqualTo(ownLoss);
            assertThat(line.lossB()).isCloseTo(ownLoss, within(1e-12 * ownLoss));
            for (int i = 0; i < t.length; i++) {
                assertThat(line.loss()[i]).as("t = %s", t[i]).isCloseTo(ownLoss, within(1e-12 * ownLoss));
            }
            assertThat(line.barrier()).isCloseTo(0.0, within(1e-12 * ownLoss));
        }
    }

    @Test
    void wrongLengthIsRejected() {
        INDArray shortTheta = Nd4j.zeros(networkA.params().dataType(), networkA.numParams() - 1);

        try (LossLandscape landscapeA = LossLandscape.of(networkA, data)) {
            assertThatThrownBy(() -> Interpolation.measure(landscapeA, shortTheta, new double[] {0.5}))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(String.valueOf(networkA.numParams() - 1))
                    .hasMessageContaining(String.valueOf(networkA.numParams()));
        }
    }

    /**
     * Asserts that the line's endpoint losses equal the losses of network A and network B
     * evaluated on their own, that the line costs {@code evaluations} loss evaluations as
     * planned, and that network A keeps its parameters.
     */
    private static Interpolation.InterpolationResult assertEndpointsEqualOwnLosses(double[] t, long evaluations) {
        float[] before = networkA.params().toFloatVector();

        try (LossLandscape landscapeA = LossLandscape.of(networkA, data);
                LossLandscape landscapeB = LossLandscape.of(networkB, data)) {
            double ownLossA = landscapeA.evaluate(landscapeA.origin()).loss();
            double ownLossB = landscapeB.evaluate(landscapeB.origin()).loss();
            long evaluationsBefore = landscapeA.lossEvaluations();

            Interpolation.InterpolationResult line = Interpolation.measure(landscapeA, networkB.params(), t);

            assertThat(line.lossA()).isEqualTo(ownLossA);
            assertThat(line.lossB()).isEqualTo(ownLossB);
            assertThat(landscapeA.lossEvaluations() - evaluationsBefore).isEqualTo(evaluations);
            assertThat(Interpolation.plannedLossEvaluations(t)).isEqualTo(evaluations);
            assertThat(networkA.params().toFloatVector()).isEqualTo(before);
            return line;
        }
    }

    /** Returns the loss the result reports at {@code t}: an endpoint loss or a grid value. */
    private static double lossAt(Interpolation.InterpolationResult line, double t) {
        if (t == 0) {
            return line.lossA();
        }
        if (t == 1) {
            return line.lossB();
        }
        for (int i = 0; i < line.t().length; i++) {
            if (line.t()[i] == t) {
                return line.loss()[i];
            }
        }
        throw new AssertionError(t + " is not in the grid");
    }
}
