package io.moescope.grad;

import io.moescope.checkpoint.SafetensorsFile;
import io.moescope.checkpoint.TensorInfo;
import io.moescope.model.Architecture;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The golden gradients of transformers, renamed from its in-memory module names to checkpoint names:
 * Mixtral's {@code mlp.} is {@code block_sparse_moe.}, and fused experts are split per expert
 * (gate_up_proj [E, 2I, D]: rows 0..I-1 gate/w1, rows I..2I-1 up/w3; down_proj [E, D, I]: down/w2),
 * except Granite's, which its checkpoints keep fused under their own names (input_linear,
 * output_linear, router.layer).
 */
public final class GoldenGradients {
    private GoldenGradients() {}

    public static Map<String, float[]> byCheckpointName(SafetensorsFile golden, Architecture arch) {
        boolean mixtral = arch == Architecture.MIXTRAL;
        String gate = mixtral ? "w1" : "gate_proj", up = mixtral ? "w3" : "up_proj", down = mixtral ? "w2" : "down_proj";
        Map<String, float[]> out = new LinkedHashMap<>();
        for (String key : golden.tensors().keySet()) {
            if (!key.startsWith("grad.")) continue;
            String name = key.substring("grad.".length());
            if (mixtral) name = name.replace(".mlp.", ".block_sparse_moe.");
            if (arch.isGranite()) {
                out.put(name.replace("experts.gate_up_proj", "input_linear.weight").replace("experts.down_proj", "output_linear.weight")
                        .replace("router.weight", "router.layer.weight"), golden.floats(key).toArray());
                continue;
            }
            TensorInfo info = golden.info(key);
            float[] v = golden.floats(key).toArray();
            if (name.endsWith("experts.gate_up_proj")) {
                String p = name.substring(0, name.length() - "gate_up_proj".length());
                int E = (int) info.shape()[0], twoI = (int) info.shape()[1], D = (int) info.shape()[2], I = twoI / 2;
                for (int e = 0; e < E; e++) {
                    int o = e * twoI * D;
                    out.put(p + e + "." + gate + ".weight", Arrays.copyOfRange(v, o, o + I * D));
                    out.put(p + e + "." + up + ".weight", Arrays.copyOfRange(v, o + I * D, o + twoI * D));
                }
            } else if (name.endsWith("experts.down_proj")) {
                String p = name.substring(0, name.length() - "down_proj".length());
                int E = (int) info.shape()[0], per = v.length / E;
                for (int e = 0; e < E; e++) out.put(p + e + "." + down + ".weight", Arrays.copyOfRange(v, e * per, (e + 1) * per));
            } else {
                out.put(name, v);
            }
        }
        return out;
    }
}
