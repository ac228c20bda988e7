package io.moescope.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.moescope.analysis.LoadedModel;
import io.moescope.analysis.ProgressListener;
import io.moescope.analysis.Prompt;
import io.moescope.backend.AttentionPattern;
import io.moescope.backend.java.JavaBackend;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The lab on the trained DeepSeek-V3 sample model and its held-out text: what the workbench shows. */
class SampleModelLabTest {
    private static LoadedModel model;
    private static Prompt prompt;

    @BeforeAll
    static void open() throws IOException {
        Path dir = Path.of("..", "sample-models", "kjv-deepseek-v3").toAbsolutePath().normalize();
        model = LoadedModel.open(dir, new JavaBackend(2));
        String text = Files.readString(dir.resolve("heldout.txt")).substring(0, 1200);
        prompt = model.encode(text);
    }

    @AfterAll
    static void close() {
        model.close();
    }

    private static Comparison compare(Mechanism m) {
        int[] ids = java.util.Arrays.copyOf(prompt.ids(), 96);
        return LabService.of(model).compare(ids, prompt.tokens().subList(0, 96), m, ProgressListener.NONE, () -> false);
    }

    @Test
    void theTrainedModelsPerplexityMatchesItsLossAndBf16BarelyMovesIt() {
        Comparison c = compare(new Mechanism("bf16", RoutingChange.NONE, null, new Precision(NumberFormat.BF16, NumberFormat.FP32)));
        VariantMetrics m = c.metrics();
        assertEquals(Math.exp(c.baseline().forward().loss()), m.baselinePerplexity(), 1e-9);
        assertTrue(m.baselinePerplexity() < 200, "a trained model: perplexity " + m.baselinePerplexity());
        assertTrue(m.meanKl() < 0.01, "bf16 mean KL " + m.meanKl());
        assertTrue(m.top1Agreement() > 0.9, "bf16 agreement " + m.top1Agreement());
        Comparison int4 = compare(new Mechanism("int4", RoutingChange.NONE, null, new Precision(NumberFormat.INT4_G32, NumberFormat.FP32)));
        assertTrue(int4.metrics().meanKl() > m.meanKl());
        assertTrue(int4.metrics().variantBytes() < m.variantBytes());
    }

    @Test
    void k1RoutingAndAShortWindowCostPerplexity() {
        Comparison k1 = compare(new Mechanism("k=1", RoutingChange.NONE.withK(1), null, Precision.NONE));
        assertTrue(k1.metrics().variantPerplexity() > k1.metrics().baselinePerplexity());
        for (double f : k1.metrics().routingFlips()) assertEquals(1.0, f);
        assertEquals(1, k1.variant().routing().getFirst().k(), "the workbench's routing views see the variant's k");

        boolean[] global = GlobalTokens.or(GlobalTokens.first(96), GlobalTokens.punctuation(prompt.tokens().subList(0, 96)));
        Comparison local = compare(new Mechanism("w8", RoutingChange.NONE, new AttentionPattern(8, 1, null, 0), Precision.NONE));
        Comparison sink = compare(new Mechanism("w8+g", RoutingChange.NONE, new AttentionPattern(8, 1, global, 0), Precision.NONE));
        assertTrue(local.metrics().meanAttentionMassKept() < 1);
        assertTrue(sink.metrics().meanAttentionMassKept() > local.metrics().meanAttentionMassKept(),
                "global tokens keep more of the baseline's attention");
    }

    @Test
    void biasAdjustmentOnTheTextEvensTheLoad() {
        Comparison c = compare(new Mechanism("balance", RoutingChange.NONE.withBiasAdjustment(30, 0.01), null, Precision.NONE));
        VariantMetrics m = c.metrics();
        double before = 0, after = 0;
        for (int i = 0; i < m.moeLayers().length; i++) {
            before += m.loadCvBefore()[i];
            after += m.loadCvAfter()[i];
        }
        assertTrue(after < before, "mean load CV " + before / m.moeLayers().length + " -> " + after / m.moeLayers().length);
    }
}
