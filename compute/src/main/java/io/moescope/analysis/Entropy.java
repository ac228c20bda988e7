package io.moescope.analysis;

/** Shannon entropy in nats of a probability vector stored in a larger array. */
final class Entropy {
    private Entropy() {}

    static double of(float[] p, int offset, int n) {
        double h = 0;
        for (int i = 0; i < n; i++) {
            double x = p[offset + i];
            if (x > 0) h -= x * Math.log(x);
        }
        return h;
    }
}
