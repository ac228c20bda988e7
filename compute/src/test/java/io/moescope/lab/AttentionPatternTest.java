package io.moescope.lab;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.moescope.analysis.ProgressListener;
import io.moescope.backend.AttentionGradients;
import io.moescope.backend.AttentionOutput;
import io.moescope.backend.AttentionPattern;
import io.moescope.backend.AttentionSpec;
import io.moescope.backend.Tensor;
import io.moescope.backend.java.JavaBackend;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The Java backend's attention patterns against dense attention with the explicit mask. */
class AttentionPatternTest {
    private static final JavaBackend B = new JavaBackend(2);
    private static final int T = 19, H = 4, HKV = 2, DQK = 8, DV = 6;
    private static final float SCALE = 0.35f;
    private final Random rnd = new Random(5);
    private final float[] q = rand(T * H * DQK), k = rand(T * HKV * DQK), v = rand(T * HKV * DV);

    @AfterAll
    static void close() {
        B.close();
    }

    private float[] rand(int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) rnd.nextGaussian();
        return x;
    }

    private AttentionOutput run(AttentionPattern p, boolean probabilities) {
        return B.attention(B.upload(q, T, H * DQK), B.upload(k, T, HKV * DQK), B.upload(v, T, HKV * DV),
                new AttentionSpec(T, H, HKV, DQK, DV, SCALE, p), probabilities);
    }

    /** Context and probabilities equal the reference; the context alone (no probabilities kept) too. */
    private void assertMatches(AttentionPattern p, MaskedAttention.Mask mask, int keep) {
        double[][] want = MaskedAttention.run(q, k, v, T, H, HKV, DQK, DV, SCALE, mask, keep);
        AttentionOutput got = run(p, true);
        float[] probs = B.download(got.probabilities()), ctx = B.download(got.context());
        for (int i = 0; i < probs.length; i++) {
            assertEquals(want[0][i], probs[i], 1e-5, p + ": probability " + i);
            if (want[0][i] == 0) assertEquals(0f, probs[i], p + ": masked probability " + i + " must be exactly 0");
        }
        for (int i = 0; i < ctx.length; i++) assertEquals(want[1][i], ctx[i], 1e-5, p + ": context " + i);
        assertArrayEquals(ctx, B.download(run(p, false).context()), 1e-6f, p + ": without probabilities");
    }

    @Test
    void slidingWindowsOfStrideOneAndMoreEqualTheMaskedDenseAttention() {
        assertMatches(AttentionPattern.window(4), MaskedAttention.windows(T, 4, 1, null), 0);   // the blocked fast path
        assertMatches(new AttentionPattern(5, 2, null, 0), MaskedAttention.windows(T, 5, 2, null), 0);   // overlapping
        assertMatches(new AttentionPattern(4, 4, null, 0), MaskedAttention.windows(T, 4, 4, null), 0);   // blocks
        assertMatches(new AttentionPattern(6, 3, null, 0), MaskedAttention.windows(T, 6, 3, null), 0);
    }

    @Test
    void topKKeepsEachRowsHighestScores() {
        assertMatches(new AttentionPattern(0, 1, null, 3), MaskedAttention.causal(), 3);
        assertMatches(new AttentionPattern(6, 1, null, 2), MaskedAttention.windows(T, 6, 1, null), 2);
    }

    @Test
    void topKOfAtLeastTIsPlainCausalAttention() {
        float[] causal = B.download(run(AttentionPattern.CAUSAL, true).context());
        assertArrayEquals(causal, B.download(run(new AttentionPattern(0, 1, null, T), true).context()), 1e-6f);
        assertArrayEquals(causal, B.download(run(new AttentionPattern(0, 1, null, 5 * T), false).context()), 1e-6f);
    }

    @Test
    void localPlusGlobalEqualsTheMaskReference() {
        boolean[] global = GlobalTokens.positions(T, 0, 7);
        assertMatches(new AttentionPattern(3, 1, global, 0), MaskedAttention.windows(T, 3, 1, global), 0);
        assertMatches(new AttentionPattern(4, 2, global, 0), MaskedAttention.windows(T, 4, 2, global), 0);
        assertMatches(new AttentionPattern(3, 1, global, 2), MaskedAttention.windows(T, 3, 1, global), 2);
    }

    /** Backward from the kept probabilities, against central differences of the double reference. */
    @Test
    void backwardThroughAGeneralPatternMatchesFiniteDifferences() {
        boolean[] global = GlobalTokens.positions(T, 0, 9);
        AttentionPattern p = new AttentionPattern(3, 1, global, 0);
        MaskedAttention.Mask mask = MaskedAttention.windows(T, 3, 1, global);
        AttentionSpec spec = new AttentionSpec(T, H, HKV, DQK, DV, SCALE, p);
        float[] g = rand(T * H * DV);
        Tensor qt = B.upload(q, T, H * DQK), kt = B.upload(k, T, HKV * DQK), vt = B.upload(v, T, HKV * DV);
        Tensor probs = B.attention(qt, kt, vt, spec, true).probabilities();
        AttentionGradients ag = B.attentionBackward(B.upload(g, T, H * DV), qt, kt, vt, probs, spec);
        checkGradient("dq", q, B.download(ag.dq()), g, mask);
        checkGradient("dk", k, B.download(ag.dk()), g, mask);
        checkGradient("dv", v, B.download(ag.dv()), g, mask);
    }

    private void checkGradient(String what, float[] x, float[] analytic, float[] g, MaskedAttention.Mask mask) {
        double scale = 0;
        for (float a : analytic) scale = Math.max(scale, Math.abs(a));
        assertTrue(scale > 0, what + " is zero everywhere");
        for (int i = 0; i < x.length; i += 3) {
            float keep = x[i];
            float h = 1e-2f;
            x[i] = keep + h;
            double up = objective(g, mask);
            x[i] = keep - h;
            double down = objective(g, mask);
            x[i] = keep;
            double numeric = (up - down) / (x[i] + h - (x[i] - h));
            assertEquals(numeric, analytic[i], 2e-3 * scale, what + " at " + i);
        }
    }

    private double objective(float[] g, MaskedAttention.Mask mask) {
        double[] ctx = MaskedAttention.run(q, k, v, T, H, HKV, DQK, DV, SCALE, mask, 0)[1];
        double s = 0;
        for (int i = 0; i < g.length; i++) s += g[i] * ctx[i];
        return s;
    }

    /** Through the lab: a window variant's attention mass kept equals the baseline's mass inside the window. */
    @Test
    void attentionMassKeptIsTheBaselinesMassInsideThePattern() {
        LabService lab = LabFixtures.lab("qwen3moe-a");
        int n = 16;
        int[] ids = LabFixtures.ids(n, lab.model().config().vocabSize(), 9);
        Comparison c = lab.compare(ids, LabFixtures.labels(ids), new Mechanism("w4", RoutingChange.NONE, AttentionPattern.window(4), Precision.NONE),
                ProgressListener.NONE, () -> false);
        MaskedAttention.Mask mask = MaskedAttention.windows(n, 4, 1, null);
        for (int l = 0; l < c.baseline().layers(); l++) {
            int heads = c.baseline().heads(l);
            double s = 0;
            for (int h = 0; h < heads; h++) {
                for (int i = 0; i < n; i++) for (int j = 0; j <= i; j++) if (mask.visible(i, j)) s += c.baseline().attention(l, h, i, j);
            }
            assertEquals(s / heads / n, c.metrics().attentionMassKept()[l], 1e-9, "layer " + l);
            assertTrue(c.metrics().attentionMassKept()[l] < 1);
            for (int h = 0; h < heads; h++) assertEquals(0f, c.variant().attention(l, h, n - 1, 0), "outside the window");
        }
        assertTrue(c.metrics().meanKl() > 0);
        assertEquals(List.copyOf(c.baseline().tokens()), c.variant().tokens());
    }
}
