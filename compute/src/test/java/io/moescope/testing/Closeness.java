package io.moescope.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** The conformance README's two closeness rules, shared by the conformance suites and the backend tests. */
public final class Closeness {
    private Closeness() {}

    /**
     * Max |want - got| within rel x max |want| (the README's rule for logits); returns the ratio
     * found, which the conformance suites report as the worst error.
     */
    public static double assertClose(String what, float[] want, float[] got, double rel) {
        assertEquals(want.length, got.length, what + " size");
        double max = 0, diff = 0;
        int worst = -1;
        for (int i = 0; i < want.length; i++) {
            max = Math.max(max, Math.abs(want[i]));
            double d = Math.abs(want[i] - got[i]);
            // written so that a NaN becomes the worst and fails
            if (!(d <= diff)) {
                diff = d;
                worst = i;
            }
        }
        double bound = rel * Math.max(max, 1e-6);
        assertTrue(diff <= bound, what + ": max |diff| " + diff + " at " + worst + " (want " + (worst < 0 ? "-" : want[worst])
                + ", got " + (worst < 0 ? "-" : got[worst]) + ") exceeds " + rel + " x " + max);
        return diff / Math.max(max, 1e-6);
    }

    /** Every |want - got| within abs (the README's rule for probabilities and weights); returns the largest. */
    public static double assertWithin(String what, float[] want, float[] got, double abs) {
        assertEquals(want.length, got.length, what + " size");
        double worst = 0;
        for (int i = 0; i < want.length; i++) {
            double d = Math.abs(want[i] - got[i]);
            if (!(d <= abs)) fail(what + " at " + i + ": want " + want[i] + ", got " + got[i] + " (tolerance " + abs + ")");
            worst = Math.max(worst, d);
        }
        return worst;
    }
}
