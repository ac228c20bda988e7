package io.moescope.lab;

import io.moescope.model.ForwardResult;
import io.moescope.model.MoeTrace;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds {@link VariantMetrics} from the baseline's and the variant's forward passes over one
 * or more chunks of text: per-position values are concatenated, fractions and the attention
 * mass are token-weighted means, perplexities come from the token-weighted mean loss, and loads
 * and dropped slots are summed before the balance figures are taken.
 */
final class MetricsAccumulator {
    private final int experts;
    private final List<double[]> kl = new ArrayList<>();
    private long positions, agreeing;
    private double baseLoss, variantLoss;
    private long lossTokens;
    private int[] moeLayers;
    private long[] flips, dropped;
    private long[][] loadBefore, loadAfter;
    private long routedTokens;
    private double[] massSum;
    private long massQueries;
    private long baselineNanos, variantNanos;

    MetricsAccumulator(int experts) {
        this.experts = experts;
    }

    /**
     * @param options the variant's hook, which knows the slots its routing dropped; null when the
     *                variant kept the model's routing
     * @param attentionChanged whether the variant changed the attention pattern (else mass kept is 1)
     */
    void add(ForwardResult base, ForwardResult variant, VariantOptions options, boolean attentionChanged,
             long baseNanos, long varNanos) {
        int T = base.tokens(), V = base.vocabSize();
        double[] k = new double[T];
        for (int t = 0; t < T; t++) {
            k[t] = kl(base.logits(), variant.logits(), t * V, V);
            if (argmax(base.logits(), t * V, V) == argmax(variant.logits(), t * V, V)) agreeing++;
        }
        kl.add(k);
        positions += T;
        if (T > 1) {
            baseLoss += base.loss() * (T - 1);
            variantLoss += variant.loss() * (T - 1);
            lossTokens += T - 1;
        }
        addRouting(base, variant, options);
        addAttention(base, variant, attentionChanged);
        baselineNanos += baseNanos;
        variantNanos += varNanos;
    }

    private void addRouting(ForwardResult base, ForwardResult variant, VariantOptions options) {
        int n = base.moe().size(), E = experts;
        if (moeLayers == null) {
            moeLayers = new int[n];
            for (int i = 0; i < n; i++) moeLayers[i] = base.moe().get(i).layer();
            flips = new long[n];
            dropped = new long[n];
            loadBefore = new long[n][E];
            loadAfter = new long[n][E];
        }
        for (int i = 0; i < n; i++) {
            MoeTrace b = base.moe().get(i), v = variant.moe().get(i);
            RoutingVariant.Decision d = options == null ? null : options.decision(b.layer());
            int T = b.decision().tokens(), kb = b.decision().k(), kv = v.decision().k();
            int[] bi = b.decision().topkIndex(), vi = v.decision().topkIndex();
            for (int t = 0; t < T; t++) {
                if (!sameSet(bi, t * kb, kb, vi, t * kv, kv)) flips[i]++;
                for (int j = 0; j < kb; j++) loadBefore[i][bi[t * kb + j]]++;
                for (int j = 0; j < kv; j++) {
                    if (d != null && d.dropped()[t * kv + j]) continue;
                    loadAfter[i][vi[t * kv + j]]++;
                }
            }
            if (d != null) dropped[i] += d.droppedCount();
        }
        if (n > 0) routedTokens += base.moe().getFirst().decision().tokens();
    }

    private void addAttention(ForwardResult base, ForwardResult variant, boolean changed) {
        int L = base.attention().size(), T = base.tokens();
        if (massSum == null) massSum = new double[L];
        for (int l = 0; l < L; l++) {
            if (!changed) {
                massSum[l] += T;
                continue;
            }
            float[] pb = base.attention().get(l), pv = variant.attention().get(l);
            int H = base.attentionHeads().get(l);
            double s = 0;
            for (int h = 0; h < H; h++) {
                for (int q = 0; q < T; q++) {
                    int row = (h * T + q) * T;
                    for (int j = 0; j <= q; j++) if (pv[row + j] > 0) s += pb[row + j];
                }
            }
            massSum[l] += s / H;
        }
        massQueries += T;
    }

    VariantMetrics build(long baselineBytes, long variantBytes, long extraVariantNanos) {
        double[] all = new double[Math.toIntExact(positions)];
        int at = 0;
        double klSum = 0;
        for (double[] k : kl) {
            System.arraycopy(k, 0, all, at, k.length);
            at += k.length;
            for (double v : k) klSum += v;
        }
        int n = moeLayers == null ? 0 : moeLayers.length;
        double[] flipFrac = new double[n], cvB = new double[n], cvA = new double[n], mmB = new double[n], mmA = new double[n];
        for (int i = 0; i < n; i++) {
            flipFrac[i] = routedTokens == 0 ? 0 : (double) flips[i] / routedTokens;
            cvB[i] = cv(loadBefore[i]);
            cvA[i] = cv(loadAfter[i]);
            mmB[i] = maxOverMean(loadBefore[i]);
            mmA[i] = maxOverMean(loadAfter[i]);
        }
        double[] mass = new double[massSum == null ? 0 : massSum.length];
        for (int l = 0; l < mass.length; l++) mass[l] = massQueries == 0 ? 1 : massSum[l] / massQueries;
        return new VariantMetrics(all, positions == 0 ? 0 : klSum / positions, positions == 0 ? 1 : (double) agreeing / positions,
                Math.exp(lossTokens == 0 ? Double.NaN : baseLoss / lossTokens),
                Math.exp(lossTokens == 0 ? Double.NaN : variantLoss / lossTokens),
                n == 0 ? new int[0] : moeLayers.clone(), flipFrac, cvB, cvA, mmB, mmA,
                n == 0 ? new long[0] : dropped.clone(), mass, baselineNanos, variantNanos + extraVariantNanos,
                baselineBytes, variantBytes);
    }

    /** KL(p || q) of the softmaxes of two logit rows, in nats, computed in double. */
    static double kl(float[] p, float[] q, int off, int n) {
        double lp = logSumExp(p, off, n), lq = logSumExp(q, off, n), s = 0;
        for (int i = 0; i < n; i++) {
            double a = p[off + i] - lp;
            s += Math.exp(a) * (a - (q[off + i] - lq));
        }
        return Math.max(0, s);
    }

    private static double logSumExp(float[] x, int off, int n) {
        double m = Double.NEGATIVE_INFINITY, s = 0;
        for (int i = 0; i < n; i++) m = Math.max(m, x[off + i]);
        for (int i = 0; i < n; i++) s += Math.exp(x[off + i] - m);
        return m + Math.log(s);
    }

    private static int argmax(float[] x, int off, int n) {
        int a = 0;
        for (int i = 1; i < n; i++) if (x[off + i] > x[off + a]) a = i;
        return a;
    }

    private static boolean sameSet(int[] a, int ao, int ka, int[] b, int bo, int kb) {
        if (ka != kb) return false;
        outer:
        for (int i = 0; i < ka; i++) {
            for (int j = 0; j < kb; j++) if (a[ao + i] == b[bo + j]) continue outer;
            return false;
        }
        return true;
    }

    /** Population standard deviation over mean of per-expert counts (0 when nothing was routed). */
    static double cv(long[] counts) {
        double mean = 0;
        for (long c : counts) mean += c;
        mean /= counts.length;
        if (mean == 0) return 0;
        double var = 0;
        for (long c : counts) var += (c - mean) * (c - mean);
        return Math.sqrt(var / counts.length) / mean;
    }

    static double maxOverMean(long[] counts) {
        double mean = 0;
        long max = 0;
        for (long c : counts) {
            mean += c;
            max = Math.max(max, c);
        }
        mean /= counts.length;
        return mean == 0 ? 0 : max / mean;
    }
}
