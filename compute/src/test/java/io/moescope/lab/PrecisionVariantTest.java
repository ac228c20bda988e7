package io.moescope.lab;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.moescope.analysis.ProgressListener;
import io.moescope.backend.Tensor;
import io.moescope.model.ModelConfig;
import io.moescope.model.MoeModel;
import io.moescope.model.RandomWeights;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PrecisionVariantTest {
    private static final int T = 20;

    private static VariantMetrics compare(LabService lab, Precision p) {
        int[] ids = LabFixtures.ids(T, lab.model().config().vocabSize(), 8);
        return lab.compare(ids, LabFixtures.labels(ids), new Mechanism(p.weights().cliName(), RoutingChange.NONE, null, p),
                ProgressListener.NONE, () -> false).metrics();
    }

    @Test
    void matricesAreRoundedAndVectorsAndRouterGatesAreNot() {
        RandomWeights w = new RandomWeights(3, 0.1);
        RoundedWeights r = new RoundedWeights(w, NumberFormat.INT4_G32);
        String embed = "model.embed_tokens.weight", gate = "model.layers.0.block_sparse_moe.gate.weight", norm = "model.norm.weight";
        assertArrayEquals(Rounding.round(w.require(embed, 384, 64).toArray(), 64, NumberFormat.INT4_G32), r.require(embed, 384, 64).toArray());
        assertArrayEquals(w.require(gate, 8, 64).toArray(), r.require(gate, 8, 64).toArray());
        assertArrayEquals(w.require(norm, 64).toArray(), r.require(norm, 64).toArray());
    }

    @Test
    void lowerPrecisionMovesTheModelMoreAndTakesLessMemory() {
        LabService lab = LabFixtures.lab("mixtral-a");
        float[] before = lab.model().forward(new int[]{1, 2, 3}, MoeModel.Probes.NONE).logits();
        VariantMetrics bf16 = compare(lab, new Precision(NumberFormat.BF16, NumberFormat.FP32));
        VariantMetrics int8 = compare(lab, new Precision(NumberFormat.INT8_CHANNEL, NumberFormat.FP32));
        VariantMetrics int4 = compare(lab, new Precision(NumberFormat.INT4_G32, NumberFormat.FP32));
        assertTrue(bf16.meanKl() > 0, "bf16 changes something");
        assertTrue(int4.meanKl() > int8.meanKl(), "int4 " + int4.meanKl() + " vs int8 " + int8.meanKl());
        assertTrue(int4.meanKl() > bf16.meanKl());
        assertArrayEquals(before, lab.model().forward(new int[]{1, 2, 3}, MoeModel.Probes.NONE).logits(), "the baseline is untouched");

        // Bytes: rounded matrices at the format's size, the rest (norms, router gates) at 4 bytes a value.
        ModelConfig cfg = lab.model().config();
        long want = 0, all = 0;
        for (Map.Entry<String, Tensor> e : lab.model().parameters().entrySet()) {
            Tensor t = e.getValue();
            all += 4 * t.size();
            boolean gate = e.getKey().endsWith(".gate.weight");
            want += t.shape().length == 2 && !gate ? t.size() + 4L * t.dim(0) : 4 * t.size();
        }
        assertEquals(all, int8.baselineBytes());
        assertEquals(want, int8.variantBytes());
        assertTrue(int4.variantBytes() < int8.variantBytes() && int8.variantBytes() < bf16.variantBytes(), cfg.architecture().toString());
    }

    @Test
    void roundedActivationsAloneChangeTheOutputALittle() {
        LabService lab = LabFixtures.lab("deepseekv3-a");
        VariantMetrics m = compare(lab, new Precision(NumberFormat.FP32, NumberFormat.FP8_E4M3));
        assertTrue(m.meanKl() > 0);
        assertTrue(m.meanKl() < 0.1, "mean KL " + m.meanKl());
        assertEquals(m.baselineBytes(), m.variantBytes());
    }
}
