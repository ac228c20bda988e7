package io.moescope.lab;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.moescope.analysis.ProgressListener;
import io.moescope.backend.Backend;
import io.moescope.backend.RoutingRule;
import io.moescope.backend.Tensor;
import io.moescope.model.MoeBlock;
import io.moescope.model.MoeTrace;
import io.moescope.model.RouterDecision;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RoutingInterventionTest {
    private static final int T = 24;

    private static Comparison compare(LabService lab, RoutingChange change) {
        int[] ids = LabFixtures.ids(T, lab.model().config().vocabSize(), 3);
        return lab.compare(ids, LabFixtures.labels(ids), new Mechanism("v", change, null, Precision.NONE), ProgressListener.NONE, () -> false);
    }

    @Test
    void theBaselineAgainstItselfChangesNothing() {
        LabService lab = LabFixtures.lab("mixtral-a");
        Comparison c = compare(lab, RoutingChange.NONE);
        VariantMetrics m = c.metrics();
        assertEquals(0, m.meanKl(), 0);
        assertEquals(1, m.top1Agreement());
        for (double f : m.routingFlips()) assertEquals(0, f);
        assertEquals(Math.exp(c.baseline().forward().loss()), m.baselinePerplexity(), 1e-9);
        assertEquals(m.baselinePerplexity(), m.variantPerplexity(), 1e-12);
        assertEquals(2, m.moeLayers().length);
        assertEquals(0, m.totalDroppedSlots());
        assertEquals(1, m.meanAttentionMassKept());
        assertArrayEquals(m.loadCvBefore(), m.loadCvAfter());
        assertEquals(m.baselineBytes(), m.variantBytes());
    }

    /** The host-side rule reproduces the backend's own choice exactly when it asks for the same. */
    @Test
    void softmaxTopKWithTheModelsKIsTheModel() {
        LabService lab = LabFixtures.lab("mixtral-a");
        Comparison c = compare(lab, RoutingChange.NONE.withRule(RoutingChange.Rule.SOFTMAX_TOPK));
        for (int i = 0; i < 2; i++) {
            RouterDecision b = c.baseline().forward().moe().get(i).decision(), v = c.variant().forward().moe().get(i).decision();
            assertArrayEquals(b.topkIndex(), v.topkIndex());
            assertArrayEquals(b.topkWeight(), v.topkWeight(), 1e-6f);
        }
        assertEquals(0, c.metrics().meanKl(), 1e-9);
    }

    /** k = E: every expert, weighted by its softmax probability, written here as a plain loop over the experts. */
    @Test
    void kEqualToTheExpertsIsTheDenseMixture() {
        LabService lab = LabFixtures.lab("mixtral-a");
        int E = lab.model().config().numExperts();
        Comparison c = compare(lab, RoutingChange.NONE.withRule(RoutingChange.Rule.SOFTMAX_TOPK).withK(E));
        Backend b = lab.model().backend();
        int D = lab.model().config().hiddenSize();
        for (MoeTrace tr : c.variant().forward().moe()) {
            assertEquals(E, tr.decision().k());
            MoeBlock block = lab.model().layers().get(tr.layer()).moe();
            float[] x = tr.routerInput();
            float[] p = new float[E];
            float[] expected = new float[T * D];
            Tensor xt = b.upload(x, T, D);
            float[][] outs = new float[E][];
            for (int e = 0; e < E; e++) {
                try (Tensor g = b.linear(xt, block.experts().gate().get(e), null); Tensor u = b.linear(xt, block.experts().up().get(e), null);
                     Tensor h = b.swiglu(g, u); Tensor y = b.linear(h, block.experts().down().get(e), null)) {
                    outs[e] = b.download(y);
                }
            }
            for (int t = 0; t < T; t++) {
                RoutingRule.softmax(tr.decision().logits(), t * E, E, p);
                for (int e = 0; e < E; e++) for (int d = 0; d < D; d++) expected[t * D + d] += p[e] * outs[e][t * D + d];
            }
            assertArrayEquals(expected, tr.output(), 2e-5f, "layer " + tr.layer());
        }
        for (double f : c.metrics().routingFlips()) assertEquals(1.0, f, "every token's set grows from 2 to 8 experts");
    }

    @Test
    void aLargeCapacityDropsNothing() {
        LabService lab = LabFixtures.lab("mixtral-a");
        Comparison c = compare(lab, RoutingChange.NONE.withCapacity(4.0));   // 4 * T * 2 / 8 = T slots: all of them fit
        assertEquals(0, c.metrics().totalDroppedSlots());
        assertArrayEquals(c.baseline().forward().logits(), c.variant().forward().logits(), 0f);
    }

    /** Drops counted by hand from the variant's own choices: in token order, each expert's slots past ceil(cf T k / E). */
    @Test
    void aSmallCapacityDropsTheOverflowInTokenOrder() {
        LabService lab = LabFixtures.lab("mixtral-a");
        double cf = 0.5;
        Comparison c = compare(lab, RoutingChange.NONE.withCapacity(cf));
        long cap = (long) Math.ceil(cf * T * 2 / 8);
        assertEquals(3, cap);
        long total = 0;
        for (int i = 0; i < 2; i++) {
            RouterDecision d = c.variant().forward().moe().get(i).decision();
            int[] seen = new int[8];
            long dropped = 0;
            for (int s = 0; s < T * 2; s++) {
                boolean over = ++seen[d.topkIndex()[s]] > cap;
                if (over) dropped++;
                assertEquals(over, d.topkWeight()[s] == 0f, "slot " + s + " of layer " + i);
            }
            assertEquals(dropped, c.metrics().droppedSlots()[i]);
            long kept = 0;
            for (int n : seen) kept += Math.min(n, cap);
            assertEquals(T * 2 - dropped, kept);
            // The load view shows what each expert really received: at most its capacity.
            for (int e = 0; e < 8; e++) assertEquals(Math.min(seen[e], cap), c.variant().load().counts()[i][e], "layer " + i + " expert " + e);
            total += dropped;
        }
        assertTrue(total > 0, "a capacity of half the mean load must drop something");
        assertTrue(c.metrics().meanKl() > 0);
    }

    @Test
    void aDisabledExpertIsNeverChosen() {
        LabService lab = LabFixtures.lab("mixtral-a");
        int busiest = busiest(compare(lab, RoutingChange.NONE).baseline().forward().moe().getFirst().decision());
        Comparison c = compare(lab, RoutingChange.NONE.withDisabled(Set.of(busiest, 3)));
        for (MoeTrace tr : c.variant().forward().moe()) {
            for (int e : tr.decision().topkIndex()) {
                assertNotEquals(busiest, e);
                assertNotEquals(3, e);
            }
        }
        assertTrue(c.metrics().routingFlips()[0] > 0);
        assertThrows(IllegalArgumentException.class, () -> compare(lab, RoutingChange.NONE.withDisabled(Set.of(0, 1, 2, 3, 4, 5, 6))));
    }

    @Test
    void aForcedTokenGoesFirstToItsExpert() {
        LabService lab = LabFixtures.lab("mixtral-a");
        Comparison c = compare(lab, RoutingChange.NONE.withForced(Map.of(0, 5, 7, 2)));
        for (MoeTrace tr : c.variant().forward().moe()) {
            assertEquals(5, tr.decision().topkIndex()[0]);
            assertEquals(2, tr.decision().topkIndex()[7 * 2]);
            assertNotEquals(5, tr.decision().topkIndex()[1]);
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> compare(lab, RoutingChange.NONE.withForced(Map.of(T, 1))));
        assertTrue(e.getMessage().contains("beyond the " + T + " tokens"), e.getMessage());
    }

    @Test
    void noiseIsSeeded() {
        LabService lab = LabFixtures.lab("mixtral-a");
        RoutingChange noisy = RoutingChange.NONE.withRule(RoutingChange.Rule.NOISY_TOPK);
        Comparison none = compare(lab, noisy.withNoise(0, 1));
        assertArrayEquals(none.baseline().forward().logits(), none.variant().forward().logits(), 1e-6f);
        int[] a = choices(compare(lab, noisy.withNoise(1.0, 1)));
        int[] again = choices(compare(lab, noisy.withNoise(1.0, 1)));
        int[] other = choices(compare(lab, noisy.withNoise(1.0, 2)));
        assertArrayEquals(a, again);
        assertFalse(Arrays.equals(a, other));
        RoutingChange gumbel = RoutingChange.NONE.withRule(RoutingChange.Rule.GUMBEL_TOPK);
        assertArrayEquals(choices(compare(lab, gumbel.withTemperature(0.5, 4))), choices(compare(lab, gumbel.withTemperature(0.5, 4))));
        assertFalse(Arrays.equals(choices(compare(lab, gumbel.withTemperature(0.5, 4))), choices(compare(lab, gumbel.withTemperature(0.5, 5)))));
    }

    @Test
    void groupLimitedChoosesWithinTheBestGroups() {
        LabService lab = LabFixtures.lab("olmoe-a");   // 16 experts, k = 4
        Comparison c = compare(lab, RoutingChange.NONE.withRule(RoutingChange.Rule.GROUP_LIMITED).withGroups(4, 1));
        for (MoeTrace tr : c.variant().forward().moe()) {
            RouterDecision d = tr.decision();
            for (int t = 0; t < T; t++) {
                int group = d.topkIndex()[t * 4] / 4;
                for (int j = 1; j < 4; j++) assertEquals(group, d.topkIndex()[t * 4 + j] / 4, "one kept group of four: all its experts");
            }
        }
        assertThrows(IllegalArgumentException.class, () -> compare(lab, RoutingChange.NONE.withRule(RoutingChange.Rule.GROUP_LIMITED).withGroups(3, 1)));
    }

    @Test
    void sigmoidWithABiasPrefersTheBiasedExpert() {
        LabService lab = LabFixtures.lab("mixtral-a");
        float[] bias = new float[8];
        bias[6] = 10f;
        Comparison c = compare(lab, RoutingChange.NONE.withRule(RoutingChange.Rule.SIGMOID_BIAS).withBias(bias));
        for (MoeTrace tr : c.variant().forward().moe()) {
            RouterDecision d = tr.decision();
            for (int t = 0; t < T; t++) {
                assertEquals(6, d.topkIndex()[t * 2]);
                // weights are the sigmoid scores of the chosen two, renormalised; the bias only chooses
                float s0 = sigmoid(d.logits()[t * 8 + 6]), s1 = sigmoid(d.logits()[t * 8 + d.topkIndex()[t * 2 + 1]]);
                assertEquals(s0 / (s0 + s1), d.topkWeight()[t * 2], 1e-6);
            }
        }
    }

    @Test
    void biasAdjustmentBalancesADeepSeekV3Model() {
        LabService lab = LabFixtures.lab("deepseekv3-a");
        RoutingChange adjust = RoutingChange.NONE.withBiasAdjustment(40, 0.01);
        Comparison c = compare(lab, adjust);
        VariantMetrics m = c.metrics();
        for (int i = 0; i < m.moeLayers().length; i++) {
            assertTrue(m.loadCvAfter()[i] < m.loadCvBefore()[i], "layer " + m.moeLayers()[i] + ": CV " + m.loadCvBefore()[i] + " -> " + m.loadCvAfter()[i]);
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> compare(LabFixtures.lab("mixtral-a"), adjust));
        assertTrue(e.getMessage().contains("needs a sigmoid router"), e.getMessage());
    }

    private static float sigmoid(float x) {
        return 1f / (1f + (float) Math.exp(-x));
    }

    private static int busiest(RouterDecision d) {
        int[] n = new int[d.experts()];
        for (int e : d.topkIndex()) n[e]++;
        int best = 0;
        for (int e = 1; e < n.length; e++) if (n[e] > n[best]) best = e;
        return best;
    }

    private static int[] choices(Comparison c) {
        return c.variant().forward().moe().stream().flatMapToInt(tr -> Arrays.stream(tr.decision().topkIndex())).toArray();
    }
}
