package io.flatnesslab.flatness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.DoubleStream;

import io.flatnesslab.dataset.LabeledData;
import io.flatnesslab.training.Tensors;
import io.flatnesslab.training.TrainingCancelledException;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/** Checks slices and surfaces against the loss at θ₀, against each other and against DL4J's score. */
class LandscapeTests {

    private static DataSet data;

    private static MultiLayerNetwork trained;

    @BeforeAll
    static void train() {
        LabeledData digits = TinyNetworks.digits(120);
        data = Tensors.dataSet(digits);
        trained = TinyNetworks.trained(List.of(10), 41, digits);
    }

    @Test
    void gridContainsExactZero() {
        double[] symmetric = LandscapeScan.centredGrid(-0.1, 0.1, 7);
        double[] asymmetric = LandscapeScan.centredGrid(-0.1, 0.2, 4);

        // Without the snapping to 0, both values would be 1.4e-17 in double arithmetic.
        assertThat(symmetric[3]).isEqualTo(0.0);
        assertThat(asymmetric[1]).isEqualTo(0.0);
    }

    @Test
    void gridHasEndpointsAndEqualSteps() {
        double[] grid = LandscapeScan.centredGrid(-0.3, 0.7, 11);

        assertThat(grid).hasSize(11);
        assertThat(grid[0]).isEqualTo(-0.3);
        assertThat(grid[10]).isEqualTo(0.7);
        for (int i = 1; i < grid.length; i++) {
            assertThat(grid[i] - grid[i - 1]).as("step %d", i).isCloseTo(0.1, within(1e-15));
        }
    }

    @Test
    void invalidGridIsRejected() {
        assertThatThrownBy(() -> LandscapeScan.centredGrid(-1, 1, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("points 1");
        assertThatThrownBy(() -> LandscapeScan.centredGrid(1, -1, 5))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("[1.0, -1.0]");
        assertThatThrownBy(() -> LandscapeScan.centredGrid(Double.NaN, 1, 5))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("NaN");
    }

    @Test
    void sliceAtZeroEqualsBaseline() {
        float[] before = trained.params().toFloatVector();
        double[] alphas = LandscapeScan.centredGrid(-1, 1, 5);

        try (LossLandscape landscape = LossLandscape.of(trained, data)) {
            LossAccuracy baseline = landscape.evaluate(landscape.origin());
            INDArray direction = filterDirection(landscape, 7);

            LandscapeScan.SliceResult slice = LandscapeScan.slice(landscape, direction, alphas);

            assertThat(slice.alphas()).containsExactly(alphas);
            assertThat(slice.loss()[2]).isEqualTo(baseline.loss());
            assertThat(slice.accuracy()[2]).isEqualTo(baseline.accuracy());
            assertThat(DoubleStream.of(slice.loss()).allMatch(Double::isFinite)).isTrue();
            assertThat(landscape.lossEvaluations()).isEqualTo(1 + LandscapeScan.plannedSliceEvaluations(5));
            assertThat(trained.params().toFloatVector()).isEqualTo(before);
        }
    }

    @Test
    void sliceMatchesNetworkScore() {
        double[] alphas = {-0.5, 0.25, 1};

        try (LossLandscape landscape = LossLandscape.of(trained, data)) {
            INDArray direction = filterDirection(landscape, 8);

            LandscapeScan.SliceResult slice = LandscapeScan.slice(landscape, direction, alphas);

            for (int i = 0; i < alphas.length; i++) {
                MultiLayerNetwork moved = trained.clone();
                moved.setParams(landscape.origin().add(direction.mul(alphas[i])));
                double score = moved.score(data, false);
                assertThat(slice.loss()[i]).as("alpha %s", alphas[i]).isCloseTo(score, within(1e-5 * score));
            }
        }
    }

    @Test
    void surfaceCrossesSliceAndBaseline() {
        float[] before = trained.params().toFloatVector();
        double[] alphas = LandscapeScan.centredGrid(-1, 1, 3);
        double[] betas = LandscapeScan.centredGrid(-0.5, 0.5, 5);
        List<Integer> rows = new ArrayList<>();

        try (LossLandscape landscape = LossLandscape.of(trained, data)) {
            LossAccuracy baseline = landscape.evaluate(landscape.origin());
            INDArray d1 = filterDirection(landscape, 9);
            INDArray d2 = filterDirection(landscape, 10);
            LandscapeScan.SliceResult slice = LandscapeScan.slice(landscape, d1, alphas);
            long evaluationsBefore = landscape.lossEvaluations();

            LandscapeScan.SurfaceResult surface = LandscapeScan.surface(landscape, d1, d2, alphas, betas,
                    (row, loss, accuracy) -> rows.add(row));

            assertThat(surface.loss()[1][2]).isEqualTo(baseline.loss());
            assertThat(surface.accuracy()[1][2]).isEqualTo(baseline.accuracy());
            for (int i = 0; i < alphas.length; i++) {
                assertThat(surface.loss()[i][2]).as("row %d at beta 0", i).isEqualTo(slice.loss()[i]);
                assertThat(DoubleStream.of(surface.loss()[i]).allMatch(Double::isFinite)).as("row %d", i).isTrue();
            }
            assertThat(rows).containsExactly(0, 1, 2);
            assertThat(landscape.lossEvaluations() - evaluationsBefore)
                    .isEqualTo(LandscapeScan.plannedSurfaceEvaluations(alphas.length, betas.length));
            assertThat(trained.params().toFloatVector()).isEqualTo(before);
        }
    }

    @Test
    void throwingListenerStopsSurface() {
        float[] before = trained.params().toFloatVector();
        double[] betas = {-0.5, 0, 0.5};

        try (LossLandscape landscape = LossLandscape.of(trained, data)) {
            INDArray d1 = filterDirection(landscape, 11);
            INDArray d2 = filterDirection(landscape, 12);

            assertThatThrownBy(() -> LandscapeScan.surface(landscape, d1, d2, new double[] {-1, 0, 1}, betas,
                    (row, loss, accuracy) -> {
                        if (row == 1) {
                            throw new IllegalStateException("stop after row 1");
                        }
                    }))
                    .isInstanceOf(IllegalStateException.class);

            assertThat(landscape.lossEvaluations()).isEqualTo(2L * betas.length);
            assertThat(trained.params().toFloatVector()).isEqualTo(before);
        }
    }

    @Test
    void cancellationRestoresParameters() {
        float[] before = trained.params().toFloatVector();
        AtomicInteger polls = new AtomicInteger();

        try (LossLandscape landscape = new LossLandscape(trained, data, Precision.FLOAT, EvaluationListener.NONE,
                () -> polls.incrementAndGet() > 2)) {
            INDArray direction = filterDirection(landscape, 13);

            assertThatThrownBy(() -> LandscapeScan.slice(landscape, direction, new double[] {-1, -0.5, 0.5, 1}))
                    .isInstanceOf(TrainingCancelledException.class);

            assertThat(landscape.lossEvaluations()).isEqualTo(2);
            assertThat(trained.params().toFloatVector()).isEqualTo(before);
        }
    }

    @Test
    void wrongDirectionLengthIsRejected() {
        try (LossLandscape landscape = LossLandscape.of(trained, data)) {
            INDArray shortDirection = Nd4j.zeros(landscape.dataType(), landscape.parameterCount() - 1);

            assertThatThrownBy(() -> LandscapeScan.slice(landscape, shortDirection, new double[] {0}))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(String.valueOf(landscape.parameterCount() - 1));
        }
    }

    private static INDArray filterDirection(LossLandscape landscape, long seed) {
        INDArray direction = landscape.newVector();
        NormalizedDirections.fill(direction, landscape.origin(), landscape.layout(), DirectionNormalization.FILTER,
                false, seed);
        return direction;
    }
}
