package io.moescope.backend.java;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

/** Sums of vector lanes come out the same, bit for bit, before and after the JIT compiles them. */
class VectorKernelsTest {
    /** The order {@link VectorKernels#sum} promises, in plain Java. */
    private static float butterfly(float[] lanes) {
        float[] v = lanes.clone();
        for (int stride = v.length / 2; stride >= 1; stride /= 2) {
            float[] next = new float[v.length];
            for (int i = 0; i < v.length; i++) next[i] = v[i] + v[i ^ stride];
            v = next;
        }
        return v[0];
    }

    @Test
    void lanesAddUpInTheDocumentedOrder() {
        Random rnd = new Random(3);
        float[] lanes = new float[VectorKernels.S.length()];
        for (int trial = 0; trial < 1000; trial++) {
            for (int i = 0; i < lanes.length; i++) lanes[i] = (float) (rnd.nextGaussian() * Math.pow(10, rnd.nextInt(7) - 3));
            float want = butterfly(lanes);
            assertEquals(Float.floatToIntBits(want), Float.floatToIntBits(VectorKernels.sum(FloatVector.fromArray(VectorKernels.S, lanes, 0))),
                    "trial " + trial);
        }
    }

    /** The same dot products interpreted (first calls) and compiled (after many): reduceLanes(ADD) changed order between them. */
    @Test
    void aDotProductIsTheSameBeforeAndAfterCompilation() {
        Random rnd = new Random(11);
        int n = 64, rows = 32;
        float[][] a = new float[rows][n], b = new float[rows][n];
        for (int r = 0; r < rows; r++) {
            for (int i = 0; i < n; i++) {
                a[r][i] = (float) (rnd.nextGaussian() * Math.pow(10, rnd.nextInt(5) - 2));
                b[r][i] = (float) rnd.nextGaussian();
            }
        }
        float[] first = new float[rows];
        for (int r = 0; r < rows; r++) first[r] = VectorKernels.dot(a[r], 0, b[r], 0, n);
        float sink = 0;
        for (int rep = 0; rep < 200_000; rep++) sink += VectorKernels.dot(a[rep % rows], 0, b[rep % rows], 0, n);
        for (int r = 0; r < rows; r++) {
            assertEquals(Float.floatToIntBits(first[r]), Float.floatToIntBits(VectorKernels.dot(a[r], 0, b[r], 0, n)), "row " + r + " (" + sink + ")");
        }
    }

    private static float[] exp(float... x) {
        float[] lanes = new float[VectorKernels.S.length()], out = new float[x.length];
        for (int o = 0; o < x.length; o += lanes.length) {
            int n = Math.min(lanes.length, x.length - o);
            java.util.Arrays.fill(lanes, 0f);
            System.arraycopy(x, o, lanes, 0, n);
            float[] e = VectorKernels.exp(FloatVector.fromArray(VectorKernels.S, lanes, 0)).toArray();
            System.arraycopy(e, 0, out, o, n);
        }
        return out;
    }

    @Test
    void expIsWithinTwoUlpOfMathExp() {
        int n = 200_001;
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = -103.9f + 192.6f * i / (n - 1);   // -103.9 .. 88.7
        float[] e = exp(x);
        for (int i = 0; i < n; i++) {
            float want = (float) Math.exp(x[i]);
            float ulp = Math.ulp(want);
            // below 2^-126 the ulp is that of the smallest normal number: subnormals keep fewer digits
            assertTrue(Math.abs(e[i] - want) <= 2 * Math.max(ulp, Math.ulp(Float.MIN_NORMAL)), "exp(" + x[i] + ") = " + e[i] + ", Math.exp " + want);
        }
    }

    @Test
    void expOfTheEdges() {
        float[] e = exp(Float.NEGATIVE_INFINITY, -1000f, -104.5f, 0f, -0f, 1f, 89f, Float.POSITIVE_INFINITY, Float.NaN);
        assertEquals(0f, e[0], "a masked score counts nothing");
        assertEquals(0f, e[1]);
        assertEquals(0f, e[2]);
        assertEquals(1f, e[3]);
        assertEquals(1f, e[4]);
        assertEquals((float) Math.E, e[5], Math.ulp((float) Math.E));
        assertEquals(Float.POSITIVE_INFINITY, e[6]);
        assertEquals(Float.POSITIVE_INFINITY, e[7]);
        assertTrue(Float.isNaN(e[8]));
    }

    /** A softmax normaliser interpreted and compiled: lanewise(EXP) was Math.exp then SVML, a bit apart. */
    @Test
    void aSumOfExponentialsIsTheSameBeforeAndAfterCompilation() {
        Random rnd = new Random(5);
        int n = 96, rows = 16;
        float[][] x = new float[rows][n];
        for (float[] row : x) for (int i = 0; i < n; i++) row[i] = (float) (rnd.nextGaussian() * 4);
        double[] first = new double[rows];
        for (int r = 0; r < rows; r++) first[r] = VectorKernels.sumExp(x[r], 0, n, 3f);
        double sink = 0;
        for (int rep = 0; rep < 200_000; rep++) sink += VectorKernels.sumExp(x[rep % rows], 0, n, 3f);
        for (int r = 0; r < rows; r++) {
            assertEquals(Double.doubleToLongBits(first[r]), Double.doubleToLongBits(VectorKernels.sumExp(x[r], 0, n, 3f)), "row " + r + " (" + sink + ")");
        }
    }
}
