package io.moescope.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.moescope.backend.Backend;
import io.moescope.checkpoint.Checkpoint;
import io.moescope.checkpoint.SafetensorsFile;
import io.moescope.checkpoint.TensorData;
import io.moescope.grad.Backprop;
import io.moescope.grad.CheckpointGradients;
import io.moescope.grad.GoldenGradients;
import io.moescope.grad.Gradients;
import io.moescope.model.ModelLoader;
import io.moescope.model.MoeModel;
import io.moescope.testing.Conformance;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every parameter's gradient of the cross-entropy, on every backend, against HF transformers'
 * (golden grad.* keys) within the backend's {@link Tolerances#gradients()} of each tensor's largest
 * |gradient|. The six shared checkpoints and the newer types': the extra ones have no golden
 * gradients. Gradients are compared as the checkpoint lays them out ({@link CheckpointGradients}),
 * so that experts a checkpoint keeps fused are checked fused.
 */
class GradientConformanceTest {

    static Stream<Arguments> backendsAndModels() {
        return ConformanceBackends.crossedWith(Conformance.gradientModels().toList());
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("backendsAndModels")
    void gradientsMatchTransformers(ConformanceBackend backend, Path dir) {
        Backend b = ConformanceBackends.open(backend);
        double tol = backend.tolerances().gradients();
        try (Checkpoint ckpt = Checkpoint.open(dir); SafetensorsFile golden = SafetensorsFile.open(dir.resolve("golden.safetensors"))) {
            MoeModel model = ModelLoader.load(ckpt, b);
            Gradients g = Backprop.gradients(model, golden.ints("input_ids"));
            Map<String, float[]> want = GoldenGradients.byCheckpointName(golden, model.config().architecture());

            // e_score_correction_bias is a buffer, not a parameter: transformers has no gradient for it
            Set<String> trainable = new TreeSet<>(ckpt.tensorNames());
            trainable.removeIf(n -> n.endsWith("e_score_correction_bias"));
            assertEquals(trainable, new TreeSet<>(want.keySet()), "golden gradients cover every trainable tensor");
            Map<String, float[]> got = new HashMap<>();
            for (TensorData t : CheckpointGradients.tensors(ckpt, g, "")) got.put(t.name(), t.floats());
            assertEquals(trainable, new TreeSet<>(got.keySet()), "we compute a gradient for every trainable tensor");

            double worst = 0;
            String worstName = "";
            for (String n : trainable) {
                double rel = assertGradientClose(n, want.get(n), got.get(n), tol);
                if (rel > worst) {
                    worst = rel;
                    worstName = n;
                }
            }
            System.out.printf("%s gradient conformance %s: %d tensors, worst max|diff|/max|grad| = %.2e (%s)%n",
                    backend.label(), dir.getFileName(), trainable.size(), worst, worstName);
        }
    }

    /**
     * Max |want - got| within rel x max |want|, without Closeness's 1e-6 floor: gradients are small,
     * and one that transformers finds all zero must be all zero here. Returns the ratio found.
     */
    private static double assertGradientClose(String name, float[] want, float[] got, double rel) {
        assertEquals(want.length, got.length, name + " size");
        double max = 0, diff = 0;
        for (int i = 0; i < want.length; i++) {
            max = Math.max(max, Math.abs(want[i]));
            diff = Math.max(diff, Math.abs(want[i] - got[i]));
        }
        assertTrue(diff <= rel * max || max == 0 && diff == 0, name + ": max |diff| " + diff + " exceeds " + rel + " x max |grad| " + max);
        return diff / Math.max(max, 1e-30);
    }
}
