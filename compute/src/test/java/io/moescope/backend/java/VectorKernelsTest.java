package io.moescope.backend.java;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
}
