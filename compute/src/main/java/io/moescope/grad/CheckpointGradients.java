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
 * from the per-expert gradients, as are Granite's ({@code block_sparse_moe.input_linear.weight} and
 * {@code output_linear.weight}, same layouts) and its shared MLP's gate and up ({@code
 * shared_mlp.input_linear.weight} [2S, D]); buffers (DeepSeek-V3's correction bias) have none.
 */
public final class CheckpointGradients {
    private CheckpointGradients() {}

    private static final String GATE_UP = "experts.gate_up_proj", DOWN = "experts.down_proj";
    private static final String GRANITE_IN = "input_linear.weight", GRANITE_OUT = "output_linear.weight";

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
            } else if (name.endsWith(GATE_UP) || name.endsWith(GRANITE_IN) && shape.length == 3) {
                values = fuse(g, used, expertsPrefix(name), (int) shape[0], new String[]{"gate_proj", "w1"}, new String[]{"up_proj", "w3"});
            } else if (name.endsWith(DOWN) || name.endsWith(GRANITE_OUT) && shape.length == 3) {
                values = fuse(g, used, expertsPrefix(name), (int) shape[0], new String[]{"down_proj", "w2"});
            } else if (name.endsWith(GRANITE_IN)) {
                String p = name.substring(0, name.length() - GRANITE_IN.length());
                values = concat(List.of(take(g, used, p + "gate_proj.weight"), take(g, used, p + "up_proj.weight")));
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

    /** The per-expert names' prefix of a fused tensor: "experts." in its block. */
    private static String expertsPrefix(String fused) {
        for (String suffix : new String[]{GATE_UP, DOWN, GRANITE_IN, GRANITE_OUT}) {
            if (fused.endsWith(suffix)) return fused.substring(0, fused.length() - suffix.length()) + "experts.";
        }
        throw new IllegalArgumentException(fused);
    }

    private static float[] take(Gradients g, Set<String> used, String name) {
        if (g.get(name) == null) throw new IllegalStateException("no gradient for " + name);
        used.add(name);
        return g.download(name);
    }

    /** Concatenates, for each expert e, its parts (each under one of the alternative names) in order. */
    private static float[] fuse(Gradients g, Set<String> used, String prefix, int experts, String[]... parts) {
        List<float[]> pieces = new ArrayList<>();
        for (int e = 0; e < experts; e++) {
            for (String[] alternatives : parts) {
                String found = null;
                for (String a : alternatives) {
                    String n = prefix + e + "." + a + ".weight";
                    if (g.get(n) != null) found = n;
                }
                if (found == null) throw new IllegalStateException("no gradient for expert " + e + " " + alternatives[0] + " under " + prefix);
                pieces.add(take(g, used, found));
            }
        }
        return concat(pieces);
    }

    private static float[] concat(List<float[]> pieces) {
        int total = 0;
        for (float[] v : pieces) total += v.length;
        float[] out = new float[total];
        int at = 0;
        for (float[] v : pieces) {
            System.arraycopy(v, 0, out, at, v.length);
            at += v.length;
        }
        return out;
    }
}
