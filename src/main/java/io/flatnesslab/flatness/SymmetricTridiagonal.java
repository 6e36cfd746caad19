package io.flatnesslab.flatness;

/**
 * Eigendecomposition of a small symmetric tridiagonal matrix T (the Lanczos matrix), in double.
 *
 * <p>The algorithm is the QL method with implicit shifts of EISPACK's {@code tql2}, as ported to
 * Java by JAMA (public domain, {@code EigenvalueDecomposition.tql2}): Givens rotations chase the
 * bulge of a Wilkinson-like shift down the matrix until every off-diagonal element is below
 * 2⁻⁵²·max(|d_i| + |e_i|). It costs O(n²) for the eigenvalues and O(n³) with the eigenvectors,
 * which is negligible for the n ≤ 1000 Lanczos steps the settings allow.
 */
final class SymmetricTridiagonal {

    /** Maximum QL sweeps per eigenvalue, far above the two or three that tql2 usually needs. */
    private static final int MAX_SWEEPS_PER_EIGENVALUE = 60;

    private static final double EPSILON = Math.ulp(1.0);

    /**
     * Eigenvalues in ascending order and, when requested, the orthonormal eigenvectors.
     *
     * @param vectors vectors[i][k] is component i of the eigenvector of values[k], or null when
     *     only the eigenvalues were computed
     */
    record Eigensystem(double[] values, double[][] vectors) {

        /** Returns the squared first components of the eigenvectors, the Gauss quadrature weights of T. */
        double[] firstComponentsSquared() {
            double[] weights = new double[values.length];
            for (int k = 0; k < values.length; k++) {
                weights[k] = vectors[0][k] * vectors[0][k];
            }
            return weights;
        }
    }

    private SymmetricTridiagonal() {
    }

    /**
     * Computes the eigenvalues and, if {@code withVectors}, the eigenvectors of the matrix with
     * diagonal {@code diagonal} (length n) and off-diagonal {@code offDiagonal} (length n − 1,
     * element i couples rows i and i + 1).
     *
     * @throws IllegalArgumentException when the lengths do not fit or n is 0
     * @throws IllegalStateException when QL does not converge, which needs non-finite input
     */
    static Eigensystem decompose(double[] diagonal, double[] offDiagonal, boolean withVectors) {
        int n = diagonal.length;
        if (n == 0 || offDiagonal.length != n - 1) {
            throw new IllegalArgumentException("expected a diagonal of length n >= 1 and an off-diagonal of length n - 1, got "
                    + n + " and " + offDiagonal.length);
        }
        double[] d = diagonal.clone();
        double[] e = new double[n];
        System.arraycopy(offDiagonal, 0, e, 0, n - 1);
        double[][] v = withVectors ? identity(n) : null;

        diagonalize(d, e, v);

        sortAscending(d, v);
        return new Eigensystem(d, v);
    }

    /** Runs the implicit-shift QL iteration of tql2 on d and e, rotating the columns of v if given. */
    private static void diagonalize(double[] d, double[] e, double[][] v) {
        int n = d.length;
        double shiftSum = 0;
        double scale = 0;
        for (int l = 0; l < n; l++) {

            // Find the first negligible off-diagonal element at or below row l.
            scale = Math.max(scale, Math.abs(d[l]) + Math.abs(e[l]));
            int m = l;
            while (m < n - 1 && Math.abs(e[m]) > EPSILON * scale) {
                m++;
            }

            int sweeps = 0;
            while (m > l && Math.abs(e[l]) > EPSILON * scale) {
                if (++sweeps > MAX_SWEEPS_PER_EIGENVALUE) {
                    throw new IllegalStateException("tridiagonal QL did not converge for eigenvalue " + l);
                }
                shiftSum += shift(d, e, l);
                rotate(d, e, v, l, m);
            }
            d[l] += shiftSum;
            e[l] = 0;
        }
    }

    /** Shifts d[l..n) by the eigenvalue of the leading 2×2 block closest to d[l] and returns the shift. */
    private static double shift(double[] d, double[] e, int l) {
        double g = d[l];
        double p = (d[l + 1] - g) / (2 * e[l]);
        double r = Math.hypot(p, 1);
        if (p < 0) {
            r = -r;
        }
        d[l] = e[l] / (p + r);
        d[l + 1] = e[l] * (p + r);
        double h = g - d[l];
        for (int i = l + 2; i < d.length; i++) {
            d[i] -= h;
        }
        return h;
    }

    /** Performs one implicit QL sweep with Givens rotations from row m up to row l. */
    private static void rotate(double[] d, double[] e, double[][] v, int l, int m) {
        double p = d[m];
        double c = 1;
        double c2 = 1;
        double c3 = 1;
        double el1 = e[l + 1];
        double dl1 = d[l + 1];
        double s = 0;
        double s2 = 0;

        for (int i = m - 1; i >= l; i--) {
            c3 = c2;
            c2 = c;
            s2 = s;
            double g = c * e[i];
            double h = c * p;
            double r = Math.hypot(p, e[i]);
            e[i + 1] = s * r;
            s = e[i] / r;
            c = p / r;
            p = c * d[i] - s * g;
            d[i + 1] = h + s * (c * g + s * d[i]);
            if (v != null) {
                for (double[] row : v) {
                    h = row[i + 1];
                    row[i + 1] = s * row[i] + c * h;
                    row[i] = c * row[i] - s * h;
                }
            }
        }

        p = -s * s2 * c3 * el1 * e[l] / dl1;
        e[l] = s * p;
        d[l] = c * p;
    }

    private static void sortAscending(double[] d, double[][] v) {
        int n = d.length;
        for (int i = 0; i < n - 1; i++) {
            int smallest = i;
            for (int j = i + 1; j < n; j++) {
                if (d[j] < d[smallest]) {
                    smallest = j;
                }
            }
            if (smallest == i) {
                continue;
            }
            double value = d[i];
            d[i] = d[smallest];
            d[smallest] = value;
            if (v != null) {
                for (double[] row : v) {
                    double component = row[i];
                    row[i] = row[smallest];
                    row[smallest] = component;
                }
            }
        }
    }

    private static double[][] identity(int n) {
        double[][] identity = new double[n][n];
        for (int i = 0; i < n; i++) {
            identity[i][i] = 1;
        }
        return identity;
    }
}
