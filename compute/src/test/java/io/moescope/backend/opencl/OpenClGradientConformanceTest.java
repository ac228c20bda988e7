package io.moescope.backend.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.moescope.checkpoint.Checkpoint;
import io.moescope.checkpoint.SafetensorsFile;
import io.moescope.grad.Backprop;
import io.moescope.grad.GoldenGradients;
import io.moescope.grad.Gradients;
import io.moescope.model.ModelLoader;
import io.moescope.model.MoeModel;
import io.moescope.testing.Conformance;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every parameter's gradient of the cross-entropy, computed with the OpenCL backward operations,
 * against HF transformers' (golden grad.* keys) within 2e-3 of each tensor's largest |gradient|,
 * the tolerance GradientConformanceTest uses for the Java backend.
 */
class OpenClGradientConformanceTest {

    @ParameterizedTest
    @ValueSource(strings = {"mixtral-a", "qwen2moe-a", "qwen3moe-a", "olmoe-a", "deepseekv2-a", "deepseekv3-a"})
    void gradientsMatchTransformers(String name) {
        try (Checkpoint ckpt = Checkpoint.open(Conformance.model(name));
             SafetensorsFile golden = SafetensorsFile.open(Conformance.model(name).resolve("golden.safetensors"))) {
            MoeModel model = ModelLoader.load(ckpt, OpenClTesting.backend());
            Gradients g = Backprop.gradients(model, golden.ints("input_ids"));
            Map<String, float[]> want = GoldenGradients.byCheckpointName(golden, model.config().architecture());
            assertEquals(want.keySet(), g.names(), "gradients for exactly the golden tensors");
            double worst = 0;
            String worstName = "";
            for (String n : want.keySet()) {
                float[] w = want.get(n), got = g.download(n);
                assertEquals(w.length, got.length, n + " size");
                double max = 0, diff = 0;
                for (int i = 0; i < w.length; i++) {
                    max = Math.max(max, Math.abs(w[i]));
                    diff = Math.max(diff, Math.abs(w[i] - got[i]));
                }
                assertTrue(diff <= 2e-3 * max || max == 0 && diff == 0, n + ": max |diff| " + diff + " exceeds 2e-3 x max |grad| " + max);
                if (diff / Math.max(max, 1e-30) > worst) {
                    worst = diff / Math.max(max, 1e-30);
                    worstName = n;
                }
            }
            System.out.printf("OpenCL gradient conformance %s: %d tensors, worst max|diff|/max|grad| = %.2e (%s)%n",
                    name, want.size(), worst, worstName);
        }
    }
}
