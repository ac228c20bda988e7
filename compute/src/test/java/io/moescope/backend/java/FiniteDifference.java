package io.moescope.backend.java;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import java.util.function.DoubleSupplier;

/**
 * Central differences of a double-precision objective, compared with a float32 analytic gradient.
 * The objective reads its inputs from arrays that the check perturbs in place, one value at a time.
 */
final class FiniteDifference {
    private FiniteDifference() {}

    /** Checks at most this many coordinates of one input (chosen at random), to keep tests fast. */
    static final int MAX_COORDINATES = 300;

    /**
     * @param x        the input, perturbed in place and restored
     * @param analytic the backend's gradient with respect to x
     * @param f        the objective, reading x
     * @param rel      tolerance, relative to the largest gradient value
     */
    static void check(String what, double[] x, float[] analytic, DoubleSupplier f, double rel) {
        assertEquals(x.length, analytic.length, what + ": gradient size");
        double scale = 0;
        for (float a : analytic) scale = Math.max(scale, Math.abs(a));
        int[] at = coordinates(x.length);
        double[] numeric = new double[at.length];
        for (int n = 0; n < at.length; n++) {
            int i = at[n];
            double v = x[i], h = 1e-6 * Math.max(1, Math.abs(v));
            x[i] = v + h;
            double up = f.getAsDouble();
            x[i] = v - h;
            double down = f.getAsDouble();
            x[i] = v;
            numeric[n] = (up - down) / (2 * h);
            scale = Math.max(scale, Math.abs(numeric[n]));
        }
        assertTrue(scale > 0 || at.length == 0, what + ": gradient is zero everywhere, the test checks nothing");
        for (int n = 0; n < at.length; n++) {
            int i = at[n];
            assertEquals(numeric[n], analytic[i], rel * scale,
                    what + " at " + i + ": finite difference " + numeric[n] + ", backward " + analytic[i] + " (scale " + scale + ")");
        }
    }

    static void check(String what, double[] x, float[] analytic, DoubleSupplier f) {
        check(what, x, analytic, f, 1e-3);
    }

    private static int[] coordinates(int n) {
        if (n <= MAX_COORDINATES) {
            int[] all = new int[n];
            for (int i = 0; i < n; i++) all[i] = i;
            return all;
        }
        Random r = new Random(n);
        int[] some = new int[MAX_COORDINATES];
        for (int i = 0; i < some.length; i++) some[i] = r.nextInt(n);
        return some;
    }

    /** sum_i g_i * y_i: the objective whose gradient with respect to y is the upstream gradient g. */
    static double dot(float[] g, double[] y) {
        assertEquals(g.length, y.length, "upstream gradient size");
        double s = 0;
        for (int i = 0; i < g.length; i++) s += g[i] * y[i];
        return s;
    }

    static float[] randomFloats(Random r, int n, double scale) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) (r.nextGaussian() * scale);
        return v;
    }

    static double[] doubles(float[] v) {
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) d[i] = v[i];
        return d;
    }

    static float[] minus(float[] a, float[] b) {
        float[] d = new float[a.length];
        for (int i = 0; i < a.length; i++) d[i] = a[i] - b[i];
        return d;
    }
}
