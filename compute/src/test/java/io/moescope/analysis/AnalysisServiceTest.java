package io.moescope.analysis;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.moescope.checkpoint.SafetensorsFile;
import io.moescope.testing.Conformance;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The derived figures on the Mixtral conformance model, recomputed here by hand from
 * transformers' own routing outputs (golden.safetensors), not from ours.
 */
class AnalysisServiceTest {
    private static LoadedModel model;
    private static SafetensorsFile golden;
    private static Analysis a;
    private static final int E = 8, K = 2;

    @BeforeAll
    static void analyse() {
        Path dir = Conformance.model("mixtral-a");
        model = LoadedModel.open(dir, "java");
        golden = SafetensorsFile.open(dir.resolve("golden.safetensors"));
        a = AnalysisService.analyse(model.model(), golden.ints("input_ids"));
    }

    @AfterAll
    static void close() {
        golden.close();
        model.close();
    }

    private static int[] goldenTopk(int layer) {
        return golden.ints("cap.model.layers." + layer + ".mlp.gate.out.2");
    }

    @Test
    void tokensPerExpertMatchTransformersChoices() {
        assertArrayEquals(new int[]{0, 1}, a.load().layers());
        assertEquals(24, a.load().tokens());
        for (int i = 0; i < 2; i++) {
            long[] want = new long[E];
            for (int e : goldenTopk(i)) want[e]++;
            assertArrayEquals(want, a.load().counts()[i], "layer " + i);
        }
    }

    @Test
    void balanceFiguresByHand() {
        for (int i = 0; i < 2; i++) {
            long[] c = a.load().counts()[i];
            double mean = 24.0 * K / E, var = 0;
            long max = 0, dropped = 0;
            long cap = (long) Math.ceil(24.0 * K / E);   // capacity factor 1
            for (long x : c) {
                var += (x - mean) * (x - mean);
                max = Math.max(max, x);
                dropped += Math.max(0, x - cap);
            }
            assertEquals(Math.sqrt(var / E) / mean, a.load().coefficientOfVariation(i), 1e-12);
            assertEquals(max / mean, a.load().maxOverMean(i), 1e-12);
            assertEquals(dropped, a.load().dropped(i, 1.0));
        }
    }

    @Test
    void auxLossIsTransformersValue() {
        double want = golden.floats("aux_loss").get(0);
        assertEquals(want, a.load().auxLoss(), 1e-5);
        assertEquals(a.forward().auxLoss(), a.load().auxLoss(), 1e-6);
    }

    @Test
    void routerProbabilitiesAreSoftmaxRows() {
        for (LayerRouting r : a.routing()) {
            float[] logits = golden.floats("cap.model.layers." + r.layer() + ".mlp.gate.out.0").toArray();
            for (int t = 0; t < r.tokens(); t++) {
                double max = Double.NEGATIVE_INFINITY, sum = 0, h = 0;
                for (int e = 0; e < E; e++) max = Math.max(max, logits[t * E + e]);
                for (int e = 0; e < E; e++) sum += Math.exp(logits[t * E + e] - max);
                for (int e = 0; e < E; e++) {
                    double p = Math.exp(logits[t * E + e] - max) / sum;
                    assertEquals(p, r.probability(t, e), 1e-4);
                    h -= p * Math.log(p);
                }
                assertEquals(h, r.entropy()[t], 1e-3);
            }
        }
    }

    @Test
    void coActivationCountsPairsOfChosenExperts() {
        for (LayerRouting r : a.routing()) {
            int[] top = goldenTopk(r.layer());
            long[][] want = new long[E][E];
            for (int t = 0; t < 24; t++) {
                int x = top[t * K], y = top[t * K + 1];
                want[x][x]++;
                want[y][y]++;
                want[x][y]++;
                want[y][x]++;
            }
            for (int e = 0; e < E; e++) assertArrayEquals(want[e], r.coActivation()[e], "layer " + r.layer() + " row " + e);
        }
    }

    @Test
    void flowCountsTop1Transitions() {
        assertEquals(1, a.flows().size());
        ExpertFlow f = a.flows().getFirst();
        assertEquals(0, f.fromLayer());
        assertEquals(1, f.toLayer());
        long total = 0;
        for (long[] row : f.counts()) for (long x : row) total += x;
        assertEquals(24, total);
        for (int t = 0; t < 24; t++) {
            assertTrue(f.counts()[a.routing().get(0).top1(t)][a.routing().get(1).top1(t)] > 0);
        }
    }

    @Test
    void attentionEntropyByHand() {
        float[] attn = golden.floats("attn.1").toArray();
        int T = 24, h = 2;
        double sum = 0;
        for (int q = 0; q < T; q++) {
            for (int k = 0; k < T; k++) {
                double p = attn[(h * T + q) * T + k];
                if (p > 0) sum -= p * Math.log(p);
            }
        }
        assertEquals(sum / T, a.attention().entropy(1, h), 1e-3);
        // the first query sees only itself: its row contributes nothing, and no head exceeds ln T
        for (double[] layer : a.attention().entropy()) for (double e : layer) assertTrue(e >= 0 && e < Math.log(T));
    }

    @Test
    void meanAndMaxOverHeads() {
        float[] mean = AttentionMaps.map(a, 0, AttentionMaps.Reduction.MEAN, 0);
        float[] max = AttentionMaps.map(a, 0, AttentionMaps.Reduction.MAX, 0);
        int T = 24;
        for (int q = 0; q < T; q++) {
            double rowSum = 0;
            for (int k = 0; k < T; k++) {
                float want = 0, m = 0;
                for (int h = 0; h < 4; h++) {
                    want += a.attention(0, h, q, k) / 4;
                    m = Math.max(m, a.attention(0, h, q, k));
                }
                assertEquals(want, mean[q * T + k], 1e-6f);
                assertEquals(m, max[q * T + k], 0f);
                rowSum += mean[q * T + k];
            }
            assertEquals(1, rowSum, 1e-4);
        }
    }

    @Test
    void timingsAreRecorded() {
        assertTrue(a.forwardNanos() > 0);
        assertTrue(a.totalNanos() >= a.forwardNanos());
    }

    @Test
    void textWithoutTokenizerIsOneTokenPerByte() {
        Prompt p = model.encode("Hi!");
        assertArrayEquals(new int[]{'H', 'i', '!'}, p.ids());
        assertEquals(java.util.List.of("H", "i", "!"), p.tokens());
        assertFalse(p.note().isBlank());
        Prompt ids = model.encode("5, 17 42");
        assertArrayEquals(new int[]{5, 17, 42}, ids.ids());
    }

    @Test
    void deepSeekV3SkipsTheDenseLayerAndNormalisesSigmoidScores() {
        try (LoadedModel ds = LoadedModel.open(Conformance.model("deepseekv3-a"), "java")) {
            Analysis d = ds.analyse("In the beginning");
            assertEquals(1, d.routing().getFirst().layer(), "layer 0 is dense");
            assertTrue(d.routingOfLayer(0).isEmpty());
            LayerRouting r = d.routing().getFirst();
            for (int t = 0; t < r.tokens(); t++) {
                double s = 0;
                for (int e = 0; e < r.experts(); e++) s += r.probability(t, e);
                assertEquals(1, s, 1e-5);
            }
            assertTrue(Double.isFinite(d.load().auxLoss()));
        }
    }
}
