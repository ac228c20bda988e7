package io.moescope.grad;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.moescope.backend.java.JavaBackend;
import io.moescope.checkpoint.Checkpoint;
import io.moescope.checkpoint.SafetensorsFile;
import io.moescope.model.ModelLoader;
import io.moescope.model.MoeModel;
import io.moescope.testing.Conformance;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** Gradient-flow figures against norms of the golden gradients, and their bookkeeping. */
class GradientFlowTest {

    @ParameterizedTest
    @ValueSource(strings = {"mixtral-a", "qwen2moe-a", "deepseekv3-a", "deepseekv2-a"})
    void normsAreThoseOfTheGoldenGradients(String name) throws Exception {
        try (Checkpoint ckpt = Checkpoint.open(Conformance.model(name));
             SafetensorsFile golden = SafetensorsFile.open(Conformance.model(name).resolve("golden.safetensors"));
             JavaBackend backend = new JavaBackend()) {
            MoeModel model = ModelLoader.load(ckpt, backend);
            int[] ids = golden.ints("input_ids");
            double lr = 1e-3;
            GradientFlowReport r = GradientFlow.analyze(model, ids, lr);
            Map<String, float[]> want = GoldenGradients.byCheckpointName(golden, model.config().architecture());

            List<ComponentFlow> all = new ArrayList<>(r.global());
            r.layers().forEach(l -> all.addAll(l.components()));
            Set<String> covered = new HashSet<>();
            double total = 0;
            for (ComponentFlow c : all) {
                double gs = 0, ws = 0;
                for (String t : c.tensors()) {
                    assertTrue(covered.add(t), t + " belongs to one component only");
                    for (float v : want.get(t)) gs += (double) v * v;
                    for (float v : ckpt.floats(t).toArray()) ws += (double) v * v;
                }
                total += gs;
                assertEquals(Math.sqrt(gs), c.gradNorm(), 2e-3 * Math.sqrt(gs) + 1e-12, c.name());
                assertEquals(Math.sqrt(ws), c.weightNorm(), 1e-5 * Math.sqrt(ws), c.name());
                assertEquals(lr * c.gradNorm() / c.weightNorm(), c.updateRatio(), 1e-12, c.name());
            }
            assertEquals(want.keySet(), covered, "components cover every trainable tensor");
            assertEquals(Math.sqrt(total), r.totalGradNorm(), 2e-3 * Math.sqrt(total));
            assertEquals(golden.floats("ce_loss").get(0), r.loss(), 1e-4);

            int L = model.config().numLayers(), T = ids.length, k = model.config().topK();
            assertEquals(L + 1, r.residualGradNorms().length);
            for (LayerFlow l : r.layers()) {
                double s = 0;
                for (ComponentFlow c : l.components()) s += c.gradNorm() * c.gradNorm();
                assertEquals(Math.sqrt(s), l.gradNorm(), 1e-9);
                assertFalse(l.vanishing() || l.exploding(), "healthy tiny model, layer " + l.layer());
                assertEquals(r.residualGradNorms()[l.layer()], l.inputResidualGradNorm());
                assertEquals(r.residualGradNorms()[l.layer() + 1], l.outputResidualGradNorm());
                assertTrue(l.inputResidualGradNorm() > 0);
                if (l.moe()) {
                    int sum = 0;
                    for (int n : l.expertTokens()) sum += n;
                    assertEquals(T * k, sum, "every token reaches k experts in layer " + l.layer());
                    assertNotNull(l.component("router"));
                    assertNotNull(l.component("expert.0"));
                } else {
                    assertNull(l.expertTokens());
                    assertNotNull(l.component("mlp"));
                }
            }
            JsonNode json = new ObjectMapper().readTree(GradientFlowJson.text(r));
            assertEquals(model.config().architecture().modelType(), json.get("model_type").asText());
            assertEquals(L, json.get("layers").size());
            assertEquals(r.layers().get(1).gradNorm(), json.get("layers").get(1).get("grad_norm").asDouble(), 1e-12);
        }
    }

    @Test
    void aBatchAveragesItsSequences() {
        try (Checkpoint ckpt = Checkpoint.open(Conformance.model("olmoe-a")); JavaBackend backend = new JavaBackend()) {
            MoeModel model = ModelLoader.load(ckpt, backend);
            int[] a = {5, 17, 42, 7, 99, 3}, b = {250, 1, 8, 8, 60};
            GradientFlowReport ra = GradientFlow.analyze(model, a, 1e-3), rb = GradientFlow.analyze(model, b, 1e-3);
            GradientFlowReport batch = GradientFlow.analyze(model, List.of(a, b), 1e-3, 0);
            GradientFlowReport same = GradientFlow.analyze(model, List.of(a, a), 1e-3, 0);
            assertEquals(2, batch.sequences());
            assertEquals(11, batch.tokens());
            assertEquals((ra.loss() + rb.loss()) / 2, batch.loss(), 1e-9);
            // Norms here are about 2e4, summed in float by threads in whatever order they finish: relative tolerances.
            for (int l = 0; l <= model.config().numLayers(); l++) {
                double mean = (ra.residualGradNorms()[l] + rb.residualGradNorms()[l]) / 2;
                assertEquals(mean, batch.residualGradNorms()[l], 1e-6 * mean);
            }
            int k = model.config().topK();
            for (LayerFlow l : batch.layers()) assertEquals(11 * k, java.util.Arrays.stream(l.expertTokens()).sum());
            // The mean of a sequence with itself is that sequence.
            assertEquals(ra.totalGradNorm(), same.totalGradNorm(), 1e-6 * ra.totalGradNorm());
            double q = ra.layers().get(0).component("q").gradNorm();
            assertEquals(q, same.layers().get(0).component("q").gradNorm(), 1e-6 * q);
        }
    }

    @Test
    void flagsVanishingAndExplodingNorms() {
        assertTrue(GradientFlowReport.vanishing(0));
        assertTrue(GradientFlowReport.vanishing(5e-8));
        assertFalse(GradientFlowReport.vanishing(1e-3));
        assertTrue(GradientFlowReport.exploding(2e3));
        assertTrue(GradientFlowReport.exploding(Double.NaN));
        assertTrue(GradientFlowReport.exploding(Double.POSITIVE_INFINITY));
        assertFalse(GradientFlowReport.exploding(10));
    }
}
