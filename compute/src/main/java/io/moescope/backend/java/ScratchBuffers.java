package io.moescope.backend.java;

import java.util.ArrayList;
import java.util.List;

/**
 * Large float arrays lent to one call and given back at its end, so that a forward pass does not
 * allocate its big intermediates anew every layer: at the benchmark's size they are humongous
 * objects for G1 (over half a 4 MB region), and each such allocation can start a marking cycle
 * that takes CPU from the computation. Arrays come back with whatever they held: a borrower writes
 * every value it reads.
 */
final class ScratchBuffers {
    /** At most this many spares are kept; more would be memory held for calls that do not come. */
    private static final int KEPT = 4;

    private final List<float[]> spare = new ArrayList<>();

    /** An array of at least n floats (the smallest spare that fits, else a new one). */
    synchronized float[] take(int n) {
        int best = -1;
        for (int i = 0; i < spare.size(); i++) {
            int len = spare.get(i).length;
            if (len >= n && (best < 0 || len < spare.get(best).length)) best = i;
        }
        return best >= 0 ? spare.remove(best) : new float[n];
    }

    /** Returns an array taken before; when the spares are full, the smallest is let go. */
    synchronized void give(float[] a) {
        if (spare.size() < KEPT) {
            spare.add(a);
            return;
        }
        int smallest = 0;
        for (int i = 1; i < spare.size(); i++) if (spare.get(i).length < spare.get(smallest).length) smallest = i;
        if (spare.get(smallest).length < a.length) spare.set(smallest, a);
    }
}
