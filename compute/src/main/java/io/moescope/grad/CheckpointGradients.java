package io.moescope.grad;

import io.moescope.checkpoint.Checkpoint;
import io.moescope.checkpoint.TensorData;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Gradients laid out as the checkpoint stores its weights: one tensor per checkpoint tensor that is
 * trained, same name and shape. Experts that the checkpoint keeps fused (transformers 5's
 * {@code experts.gate_up_proj} [E, 2I, D] and {@code experts.down_proj} [E, D, I]) are fused again
 * from the per-expert gradients; buffers (DeepSeek-V3's correction bias) have none.
 */
public final class CheckpointGradients {
    private CheckpointGradients() {}

    private static final String GATE_UP = "experts.gate_up_proj", DOWN = "experts.down_proj";

    /** @param prefix put before every name, e.g. "grad." */
    public static List<TensorData> tensors(Checkpoint ckpt, Gradients g, String prefix) {
        List<TensorData> out = new ArrayList<>();
        Set<String> used = new HashSet<>();
        for (String name : ckpt.tensorNames()) {
            long[] shape = ckpt.info(name).shape();
            float[] values;
            if (g.get(name) != null) {
                values = g.download(name);
                used.add(name);
            } else if (name.endsWith(GATE_UP)) {
                String p = name.substring(0, name.length() - GATE_UP.length()) + "experts.";
                values = fuse(g, used, p, (int) shape[0], new String[]{"gate_proj", "w1"}, new String[]{"up_proj", "w3"});
            } else if (name.endsWith(DOWN)) {
                String p = name.substring(0, name.length() - DOWN.length()) + "experts.";
                values = fuse(g, used, p, (int) shape[0], new String[]{"down_proj", "w2"});
            } else {
                continue;   // not trained: a buffer, or a tensor this model does not use
            }
            out.add(TensorData.f32(prefix + name, values, shape));
        }
        Set<String> missing = new HashSet<>(g.names());
        missing.removeAll(used);
        if (!missing.isEmpty()) throw new IllegalStateException("gradients with no checkpoint tensor to go to: " + missing);
        return out;
    }

    /** Concatenates, for each expert e, its parts (each under one of the alternative names) in order. */
    private static float[] fuse(Gradients g, Set<String> used, String prefix, int experts, String[]... parts) {
        List<float[]> pieces = new ArrayList<>();
        int total = 0;
        for (int e = 0; e < experts; e++) {
            for (String[] alternatives : parts) {
                String found = null;
                for (String a : alternatives) {
                    String n = prefix + e + "." + a + ".weight";
                    if (g.get(n) != null) found = n;
                }
                if (found == null) throw new IllegalStateException("no gradient for expert " + e + " " + alternatives[0] + " under " + prefix);
                used.add(found);
                float[] v = g.download(found);
                pieces.add(v);
                total += v.length;
            }
        }
        float[] out = new float[total];
        int at = 0;
        for (float[] v : pieces) {
            System.arraycopy(v, 0, out, at, v.length);
            at += v.length;
        }
        return out;
    }
}
