package io.moescope.backend.ptx;

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
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every parameter's cross-entropy gradient, computed on the GPU, against HF transformers' (2e-3 of each tensor's largest). */
class PtxGradientConformanceTest {

    @ParameterizedTest
    @ValueSource(strings = {"mixtral-a", "qwen2moe-a", "qwen3moe-a", "olmoe-a", "deepseekv2-a", "deepseekv3-a"})
    void gradientsMatchTransformers(String name) {
        PtxBackend backend = PtxTesting.backend();
        try (Checkpoint ckpt = Checkpoint.open(Conformance.model(name));
             SafetensorsFile golden = SafetensorsFile.open(Conformance.model(name).resolve("golden.safetensors"))) {
            MoeModel model = ModelLoader.load(ckpt, backend);
            Gradients g = Backprop.gradients(model, golden.ints("input_ids"));
            Map<String, float[]> want = GoldenGradients.byCheckpointName(golden, model.config().architecture());
            Set<String> trainable = new TreeSet<>(ckpt.tensorNames());
            trainable.removeIf(n -> n.endsWith("e_score_correction_bias"));
            assertEquals(trainable, new TreeSet<>(g.names()), "a gradient for every trainable tensor");
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
                assertTrue(diff <= 2e-3 * max || max == 0 && diff == 0, n + ": max |diff| " + diff + " exceeds 2e-3 x max |grad| " + max);
                if (diff / Math.max(max, 1e-30) > worst) {
                    worst = diff / Math.max(max, 1e-30);
                    worstName = n;
                }
            }
            System.out.printf("PTX gradient conformance %s: %d tensors, worst max|diff|/max|grad| = %.2e (%s)%n",
                    name, trainable.size(), worst, worstName);
        }
    }
}
