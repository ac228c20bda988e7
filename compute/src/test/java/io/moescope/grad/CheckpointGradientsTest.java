package io.moescope.grad;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.moescope.backend.java.JavaBackend;
import io.moescope.checkpoint.Checkpoint;
import io.moescope.checkpoint.SafetensorsFile;
import io.moescope.checkpoint.TensorData;
import io.moescope.model.ModelLoader;
import io.moescope.testing.Conformance;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Gradients in the checkpoint's own layout, including experts that transformers 5 stores fused. */
class CheckpointGradientsTest {
    @TempDir Path tmp;

    @Test
    void fusedExpertsGetFusedGradientsEqualToTransformers() {
        Path src = Conformance.model("qwen3moe-a");
        Path fusedDir;
        try (Checkpoint ckpt = Checkpoint.open(src)) {
            fusedDir = CheckpointCopies.rewritten(ckpt, tmp.resolve("fused"), CheckpointGradientsTest::fuseExperts);
        }
        try (Checkpoint fused = Checkpoint.open(fusedDir);
             SafetensorsFile golden = SafetensorsFile.open(src.resolve("golden.safetensors"));
             JavaBackend backend = new JavaBackend()) {
            assertTrue(fused.has("model.layers.0.mlp.experts.gate_up_proj") && !fused.has("model.layers.0.mlp.experts.0.up_proj.weight"));
            Gradients g = Backprop.gradients(ModelLoader.load(fused, backend), golden.ints("input_ids"));
            Map<String, TensorData> out = new LinkedHashMap<>();
            for (TensorData t : CheckpointGradients.tensors(fused, g, "grad.")) out.put(t.name(), t);
            TreeSet<String> want = new TreeSet<>();
            for (String n : fused.tensorNames()) want.add("grad." + n);
            assertEquals(want, new TreeSet<>(out.keySet()), "one gradient per checkpoint tensor, under its name");
            for (TensorData t : out.values()) {
                String n = t.name().substring("grad.".length());
                assertArrayEquals(fused.info(n).shape(), t.shape(), n);
                // transformers' in-memory names are the fused checkpoint's names here.
                float[] w = golden.floats(t.name()).toArray();
                float max = 0, diff = 0;
                for (int i = 0; i < w.length; i++) {
                    max = Math.max(max, Math.abs(w[i]));
                    diff = Math.max(diff, Math.abs(w[i] - t.floats()[i]));
                }
                assertTrue(diff <= 2e-3 * max, n + ": " + diff + " of " + max);
            }
        }
    }

    /** experts.e.{gate,up,down}_proj.weight of each layer -> experts.gate_up_proj [E, 2I, D] and experts.down_proj [E, D, I]. */
    private static List<TensorData> fuseExperts(List<TensorData> tensors) {
        Map<String, TensorData> byName = new LinkedHashMap<>();
        tensors.forEach(t -> byName.put(t.name(), t));
        List<TensorData> out = new ArrayList<>();
        for (TensorData t : tensors) {
            String n = t.name();
            if (!n.matches(".*\\.experts\\.\\d+\\..*")) {
                out.add(t);
            } else if (n.endsWith(".experts.0.gate_proj.weight")) {
                String p = n.substring(0, n.length() - "0.gate_proj.weight".length());
                int E = 0;
                while (byName.containsKey(p + E + ".gate_proj.weight")) E++;
                long I = t.shape()[0], D = t.shape()[1];
                float[] gu = new float[(int) (E * 2 * I * D)], down = new float[(int) (E * D * I)];
                for (int e = 0; e < E; e++) {
                    System.arraycopy(byName.get(p + e + ".gate_proj.weight").floats(), 0, gu, (int) (e * 2 * I * D), (int) (I * D));
                    System.arraycopy(byName.get(p + e + ".up_proj.weight").floats(), 0, gu, (int) ((e * 2 + 1) * I * D), (int) (I * D));
                    System.arraycopy(byName.get(p + e + ".down_proj.weight").floats(), 0, down, (int) (e * D * I), (int) (D * I));
                }
                out.add(TensorData.f32(p + "gate_up_proj", gu, E, 2 * I, D));
                out.add(TensorData.f32(p + "down_proj", down, E, D, I));
            }
        }
        return out;
    }
}
