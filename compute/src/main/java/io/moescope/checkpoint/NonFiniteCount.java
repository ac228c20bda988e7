package io.moescope.checkpoint;

import io.moescope.tensor.FloatTensor;

/** NaN and infinity counts of a tensor: a corrupt or badly converted checkpoint shows up here first. */
record NonFiniteCount(long nan, long inf) {

    static NonFiniteCount of(FloatTensor t) {
        long nan = 0, inf = 0;
        long n = t.size();
        for (long i = 0; i < n; i++) {
            float v = t.get(i);
            if (Float.isNaN(v)) nan++;
            else if (Float.isInfinite(v)) inf++;
        }
        return new NonFiniteCount(nan, inf);
    }

    boolean any() {
        return nan + inf > 0;
    }
}
