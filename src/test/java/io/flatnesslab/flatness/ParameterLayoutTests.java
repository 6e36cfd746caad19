package io.flatnesslab.flatness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import java.util.List;

import io.flatnesslab.dataset.DatasetCatalog;
import io.flatnesslab.dataset.DatasetProperties;
import io.flatnesslab.training.NetworkFactory;
import io.flatnesslab.training.Tensors;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

/** Checks the layout against DL4J's own parameter views, and the landscape against DL4J's score. */
class ParameterLayoutTests {

    @Test
    void viewsMatchLayerParameters() {
        MultiLayerNetwork network = NetworkFactory.build(7, List.of(5, 4), 3, 0.1, 11);
        ParameterLayout layout = ParameterLayout.of(network);
        INDArray flat = network.params();

        assertThat(layout.parameterCount()).isEqualTo(network.numParams());
        assertThat(layout.layers()).hasSize(3);
        for (int i = 0; i < 3; i++) {
            assertThat(layout.weights(flat, i)).isEqualTo(network.getLayer(i).getParam("W"));
            assertThat(layout.bias(flat, i).reshape(-1)).isEqualTo(network.getLayer(i).getParam("b").reshape(-1));
            for (int j = 0; j < layout.layer(i).fanOut(); j++) {
                assertThat(layout.filter(flat, i, j)).isEqualTo(network.getLayer(i).getParam("W").getColumn(j));
            }
        }
    }

    @Test
    void landscapeLossEqualsScore() {
        DataSet data = digits(100);
        MultiLayerNetwork network = NetworkFactory.build(784, List.of(16), 10, 0.1, 3);
        double score = network.score(data, false);

        try (LossLandscape landscape = LossLandscape.of(network, data)) {
            LossAccuracy at = landscape.evaluate(landscape.origin());

            assertThat(at.loss()).isCloseTo(score, within(1e-6 * score));
            assertThat(at.accuracy()).isBetween(0.0, 1.0);
            assertThat(landscape.lossEvaluations()).isEqualTo(1);
        }
    }

    @Test
    void gradientMatchesFiniteDifference() {
        DataSet data = digits(50);
        MultiLayerNetwork network = NetworkFactory.build(784, List.of(8), 10, 0.1, 5);

        try (LossLandscape landscape = new LossLandscape(network, data, Precision.DOUBLE, EvaluationListener.NONE,
                () -> false)) {
            INDArray gradient = landscape.newVector();
            landscape.gradient(landscape.origin(), gradient);
            INDArray direction = landscape.newVector();
            RandomDirections.sampleUnit(direction, 4);
            double h = 1e-5;
            double plus = landscape.evaluateOffset(direction.mul(h)).loss();
            double minus = landscape.evaluateOffset(direction.mul(-h)).loss();

            double directional = gradient.mul(direction).sumNumber().doubleValue();
            assertThat(landscape.dataType()).isEqualTo(DataType.DOUBLE);
            assertThat((plus - minus) / (2 * h)).isCloseTo(directional, within(1e-6 + 1e-4 * Math.abs(directional)));
        }
        assertThat(network.params().dataType()).isEqualTo(DataType.FLOAT);
    }

    static DataSet digits(int count) {
        DatasetCatalog catalog = new DatasetCatalog(new DatasetProperties(Path.of("target/no-extra-datasets")));
        int[] indices = new int[count];
        for (int i = 0; i < count; i++) {
            indices[i] = i * 13;
        }
        return Tensors.dataSet(catalog.get(DatasetCatalog.EMBEDDED_NAME).select(indices));
    }
}
