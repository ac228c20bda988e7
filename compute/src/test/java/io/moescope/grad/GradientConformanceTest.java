package io.moescope.grad;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.moescope.backend.java.JavaBackend;
import io.moescope.checkpoint.Checkpoint;
import io.moescope.checkpoint.SafetensorsFile;
import io.moescope.model.ModelLoader;
import io.moescope.model.MoeModel;
import io.moescope.testing.Conformance;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every parameter's gradient of the cross-entropy against HF transformers' (golden grad.* keys),
 * within 2e-3 of the largest |gradient| of each tensor, as the conformance README asks.
 */
class GradientConformanceTest {

    @ParameterizedTest
    @ValueSource(strings = {"mixtral-a", "qwen2moe-a", "qwen3moe-a", "olmoe-a", "deepseekv2-a", "deepseekv3-a"})
    void gradientsMatchTransformers(String name) {
        try (Checkpoint ckpt = Checkpoint.open(Conformance.model(name));
             SafetensorsFile golden = SafetensorsFile.open(Conformance.model(name).resolve("golden.safetensors"));
             JavaBackend backend = new JavaBackend()) {
            MoeModel model = ModelLoader.load(ckpt, backend);
            Gradients g = Backprop.gradients(model, golden.ints("input_ids"));
            Map<String, float[]> want = GoldenGradients.byCheckpointName(golden, model.config().architecture());

            Set<String> trainable = new TreeSet<>(ckpt.tensorNames());
            trainable.removeIf(n -> n.endsWith("e_score_correction_bias"));
            assertEquals(trainable, new TreeSet<>(want.keySet()), "golden gradients cover every trainable tensor");
            assertEquals(trainable, new TreeSet<>(g.names()), "we compute a gradient for every trainable tensor");

            double worst = 0;
            String worstName = "";
            for (String n : trainable) {
                float[] w = want.get(n), got = g.download(n);
                assertEquals(w.length, got.length, n + " size");
                double max = 0, diff = 0;
                for (int i = 0; i < w.length; i++) {
                    max = Math.max(max, Math.abs(w[i]));
                    diff = Math.max(diff, Math.abs(w[i] - got[i]));
                }
                double rel = diff / Math.max(max, 1e-30);
                assertTrue(diff <= 2e-3 * max || max == 0 && diff == 0,
                        n + ": max |diff| " + diff + " exceeds 2e-3 x max |grad| " + max);
                if (rel > worst) {
                    worst = rel;
                    worstName = n;
                }
            }
            System.out.printf("gradient conformance %s: %d tensors, worst max|diff|/max|grad| = %.2e (%s)%n",
                    name, trainable.size(), worst, worstName);
        }
    }
}
