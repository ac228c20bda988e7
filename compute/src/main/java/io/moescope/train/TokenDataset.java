package io.moescope.train;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * A tokenised corpus split once into a training part and a held-out tail, so that held-out
 * perplexity is measured on text the model never saw. Training windows are drawn at random
 * offsets from a seeded generator, which makes a run (and its resumption) reproducible.
 */
public record TokenDataset(int[] train, int[] heldOut) {

    public static TokenDataset split(int[] ids, double heldOutFraction) {
        if (heldOutFraction < 0 || heldOutFraction >= 1) throw new IllegalArgumentException("held-out fraction must be in [0, 1)");
        int cut = (int) Math.round(ids.length * (1 - heldOutFraction));
        return new TokenDataset(Arrays.copyOfRange(ids, 0, cut), Arrays.copyOfRange(ids, cut, ids.length));
    }

    /** A window of seqLen + 1 ids: the model reads the first seqLen and predicts each next one. */
    public int[] window(SplittableRandom rng, int seqLen) {
        if (train.length < seqLen + 1) {
            throw new IllegalArgumentException("training text has " + train.length + " tokens, fewer than one window of " + (seqLen + 1));
        }
        int start = rng.nextInt(train.length - seqLen);
        return Arrays.copyOfRange(train, start, start + seqLen + 1);
    }

    /** Consecutive held-out windows of seqLen + 1 ids (overlapping by one), at most maxWindows of them. */
    public int[][] heldOutWindows(int seqLen, int maxWindows) {
        int n = Math.min(maxWindows, Math.max(0, (heldOut.length - 1) / seqLen));
        int[][] out = new int[n][];
        for (int i = 0; i < n; i++) out[i] = Arrays.copyOfRange(heldOut, i * seqLen, i * seqLen + seqLen + 1);
        return out;
    }

    /** Cross-entropy (nats per token) of a unigram model fitted on the training part, on the held-out part. */
    public double unigramHeldOutLoss(int vocabSize) {
        double[] counts = new double[vocabSize];
        for (int id : train) counts[id]++;
        double total = train.length + vocabSize;   // add-one smoothing so unseen tokens are finite
        double nll = 0;
        for (int id : heldOut) nll -= Math.log((counts[id] + 1) / total);
        return heldOut.length == 0 ? Double.NaN : nll / heldOut.length;
    }
}
