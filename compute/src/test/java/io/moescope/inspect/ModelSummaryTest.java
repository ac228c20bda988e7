package io.moescope.inspect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.moescope.backend.java.JavaBackend;
import io.moescope.checkpoint.DType;
import io.moescope.testing.Conformance;
import org.junit.jupiter.api.Test;

class ModelSummaryTest {

    @Test
    void countsTotalAndActiveParametersOfMixtral() {
        ModelSummary s = ModelSummary.of(Conformance.model("mixtral-a"));
        // embed + lm_head, 2 layers of (attention q,k,v,o + 2 norms + router + 8 experts x 3 x 64 x 48), final norm
        long attention = 64 * 64 + 32 * 64 + 32 * 64 + 64 * 64;
        long experts = 8L * 3 * 64 * 48;
        long layer = attention + 2 * 64 + 8 * 64 + experts;
        long total = 2L * 384 * 64 + 2 * layer + 64;
        assertEquals(total, s.totalParameters());
        assertEquals(total - 2L * 6 * 3 * 64 * 48, s.activeParameters(), "6 of 8 experts idle per token in each layer");
        assertEquals(Long.valueOf(total), s.dtypeParameters().get(DType.F32));
        assertEquals(Math.min(4 * total, JavaBackend.panelBytesLimit()), s.float32Copies());
    }

    @Test
    void rendersEverythingInfoPromises() {
        String text = ModelSummary.of(Conformance.model("deepseekv3-a")).render();
        assertTrue(text.contains("architecture: deepseek_v3"), text);
        assertTrue(text.contains("layers:       3 (2 MoE, 1 dense)"), text);
        assertTrue(text.contains("16 routed, top-4, router sigmoid + correction bias, 2 of 4 groups, renormalised, scaled by 2.5"), text);
        assertTrue(text.contains("shared experts (width 32)"), text);
        assertTrue(text.contains("MLA, 4 heads, kv rank 16, q rank 32"), text);
        assertTrue(text.contains("active per token"), text);
        assertTrue(text.contains("F32"), text);
        assertTrue(text.contains("MiB weights (memory-mapped, file-backed) + "), text);
        assertTrue(text.contains("MiB packed weights at most (heap)"), text);
    }

    @Test
    void rendersGranitesMultipliersAndSharedMlp() {
        String text = ModelSummary.of(Conformance.archModel("granitemoeshared-a")).render();
        assertTrue(text.contains("architecture: granitemoeshared"), text);
        assertTrue(text.contains("multipliers:  embeddings x6.0, attention scale 0.1, residual branches x0.3, logits / 4.0"), text);
        assertTrue(text.contains("4 routed, top-2, router softmax, renormalised; shared experts (width 48)"), text);
    }

    @Test
    void rendersGlmsPartialRotary() {
        String text = ModelSummary.of(Conformance.archModel("glm4moe-a")).render();
        assertTrue(text.contains("architecture: glm4_moe"), text);
        assertTrue(text.contains("layers:       3 (2 MoE, 1 dense)"), text);
        assertTrue(text.contains("4 heads, 2 kv heads, head dim 16, RoPE on the first 8 dimensions"), text);
    }

    @Test
    void halfPrecisionWeightsStayAsStored() {
        ModelSummary s = ModelSummary.of(Conformance.extraModel("deepseekv3-yarn-bf16"));
        long bf16 = s.dtypeParameters().get(DType.BF16);
        assertEquals(2 * bf16, s.storedBytes());
        assertEquals(Math.min(4 * s.totalParameters(), JavaBackend.panelBytesLimit()), s.float32Copies(), "panels, not a float32 copy of each weight");
        assertTrue(s.render().contains("YaRN x4.0"), s.render());
    }
}
