package io.moescope.checkpoint;

/** NaN and infinity counts of a tensor: a corrupt or badly converted checkpoint shows up here first. */
record NonFiniteCount(long nan, long inf) {

    static NonFiniteCount of(StoredWeight t) {
        long nan = 0, inf = 0;
        long n = t.elements();
        float[] chunk = new float[(int) Math.min(n, 1 << 16)];
        for (long from = 0; from < n; from += chunk.length) {
            int len = (int) Math.min(chunk.length, n - from);
            t.widen(from, chunk, 0, len);
            for (int i = 0; i < len; i++) {
                float v = chunk[i];
                if (Float.isNaN(v)) nan++;
                else if (Float.isInfinite(v)) inf++;
            }
        }
        return new NonFiniteCount(nan, inf);
    }

    boolean any() {
        return nan + inf > 0;
    }
}
