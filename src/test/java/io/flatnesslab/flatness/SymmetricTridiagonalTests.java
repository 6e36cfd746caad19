package io.flatnesslab.flatness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.eigen.Eigen;
import org.nd4j.linalg.factory.Nd4j;

/** Checks the tridiagonal eigendecomposition against closed forms and LAPACK. */
class SymmetricTridiagonalTests {

    @Test
    void secondDifferenceMatrixClosedForm() {
        // T = tridiag(−1, 2, −1) of size n has λ_k = 2 − 2·cos(kπ/(n+1)) and v_k(i) ∝ sin(ikπ/(n+1)).
        int n = 50;
        double[] diagonal = new double[n];
        double[] offDiagonal = new double[n - 1];
        Arrays.fill(diagonal, 2);
        Arrays.fill(offDiagonal, -1);

        SymmetricTridiagonal.Eigensystem eigen = SymmetricTridiagonal.decompose(diagonal, offDiagonal, true);

        for (int k = 1; k <= n; k++) {
            double angle = k * Math.PI / (n + 1);
            assertThat(eigen.values()[k - 1]).as("λ%d", k).isCloseTo(2 - 2 * Math.cos(angle), within(1e-13));
            double[] expected = new double[n];
            for (int i = 0; i < n; i++) {
                expected[i] = Math.sin((i + 1) * angle);
            }
            assertThat(Math.abs(cosine(column(eigen.vectors(), k - 1), expected))).as("v%d", k).isCloseTo(1, within(1e-12));
        }
    }

    @Test
    void wilkinsonMatrixMatchesLapack() {
        // W21+: diagonal |10 − i|, off-diagonal 1, whose largest eigenvalues come in pairs closer than 1e−13.
        int n = 21;
        double[] diagonal = new double[n];
        double[] offDiagonal = new double[n - 1];
        for (int i = 0; i < n; i++) {
            diagonal[i] = Math.abs(10 - i);
        }
        Arrays.fill(offDiagonal, 1);

        assertMatchesLapack(diagonal, offDiagonal);
    }

    @Test
    void randomMatrixMatchesLapack() {
        Random random = new Random(7);
        int n = 40;
        double[] diagonal = new double[n];
        double[] offDiagonal = new double[n - 1];
        for (int i = 0; i < n; i++) {
            diagonal[i] = random.nextGaussian() * 3;
        }
        for (int i = 0; i < n - 1; i++) {
            // A few exact zeros split the matrix into blocks.
            offDiagonal[i] = i % 13 == 12 ? 0 : random.nextGaussian();
        }

        assertMatchesLapack(diagonal, offDiagonal);
    }

    @Test
    void valuesWithoutVectorsAreEqual() {
        double[] diagonal = {4, -1, 3, 0.5, 2};
        double[] offDiagonal = {1, 0.25, -2, 1e-3};

        SymmetricTridiagonal.Eigensystem withVectors = SymmetricTridiagonal.decompose(diagonal, offDiagonal, true);
        SymmetricTridiagonal.Eigensystem valuesOnly = SymmetricTridiagonal.decompose(diagonal, offDiagonal, false);

        assertThat(valuesOnly.values()).containsExactly(withVectors.values());
        assertThat(valuesOnly.vectors()).isNull();
        assertThat(diagonal).containsExactly(4, -1, 3, 0.5, 2);
    }

    @Test
    void singleElementAndInvalidLengths() {
        SymmetricTridiagonal.Eigensystem single = SymmetricTridiagonal.decompose(new double[] {-3}, new double[0], true);

        assertThat(single.values()).containsExactly(-3);
        assertThat(single.firstComponentsSquared()).containsExactly(1);
        assertThatThrownBy(() -> SymmetricTridiagonal.decompose(new double[0], new double[0], false))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SymmetricTridiagonal.decompose(new double[3], new double[3], false))
                .isInstanceOf(IllegalArgumentException.class);
    }

    /** Compares eigenvalues with LAPACK's and checks T·v = λ·v, orthonormality and the weights. */
    private static void assertMatchesLapack(double[] diagonal, double[] offDiagonal) {
        int n = diagonal.length;
        double[][] dense = new double[n][n];
        for (int i = 0; i < n; i++) {
            dense[i][i] = diagonal[i];
            if (i < n - 1) {
                dense[i][i + 1] = offDiagonal[i];
                dense[i + 1][i] = offDiagonal[i];
            }
        }
        double[] lapack = Eigen.symmetricGeneralizedEigenvalues(Nd4j.create(dense), false).toDoubleVector();
        Arrays.sort(lapack);
        double norm = 0;
        for (double[] row : dense) {
            norm = Math.max(norm, Arrays.stream(row).map(Math::abs).sum());
        }

        SymmetricTridiagonal.Eigensystem eigen = SymmetricTridiagonal.decompose(diagonal, offDiagonal, true);

        double weights = 0;
        for (int k = 0; k < n; k++) {
            assertThat(eigen.values()[k]).as("λ%d", k).isCloseTo(lapack[k], within(1e-12 * norm));
            double[] v = column(eigen.vectors(), k);
            for (int i = 0; i < n; i++) {
                double image = 0;
                for (int j = 0; j < n; j++) {
                    image += dense[i][j] * v[j];
                }
                assertThat(image).as("(T·v%d)[%d]", k, i).isCloseTo(eigen.values()[k] * v[i], within(1e-12 * norm));
            }
            for (int l = 0; l < n; l++) {
                assertThat(dot(v, column(eigen.vectors(), l))).as("v%d·v%d", k, l).isCloseTo(k == l ? 1 : 0, within(1e-12));
            }
            weights += eigen.firstComponentsSquared()[k];
        }
        assertThat(weights).isCloseTo(1, within(1e-12));
    }

    private static double[] column(double[][] matrix, int k) {
        double[] column = new double[matrix.length];
        for (int i = 0; i < matrix.length; i++) {
            column[i] = matrix[i][k];
        }
        return column;
    }

    private static double cosine(double[] a, double[] b) {
        return dot(a, b) / Math.sqrt(dot(a, a) * dot(b, b));
    }

    private static double dot(double[] a, double[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            sum += a[i] * b[i];
        }
        return sum;
    }
}
