package io.moescope.conformance;

import io.moescope.checkpoint.SafetensorsFile;
import io.moescope.checkpoint.TensorInfo;
import java.util.List;
import org.junit.jupiter.api.Assertions;

/**
 * Where one MoE layer's router and block were captured in a golden file, and which of the
 * router's outputs is which: transformers' routers return (logits, weights, indices) or, Granite's,
 * (indices, weights, logits), so the indices are told by their int32 type and the logits by having
 * a column per expert where the weights have one per choice.
 *
 * @param router      the router's capture prefix, e.g. cap.model.layers.0.mlp.gate
 * @param blockOutput the MoE block's output key, or null where it was not captured
 */
record RouterCapture(String router, String logits, String weights, String index, String blockOutput) {

    /** The routers' module paths in the folders we have: mlp.gate, Granite's block_sparse_moe.router, Phi's mlp.router. */
    private static final List<String> ROUTERS = List.of("mlp.gate", "block_sparse_moe.router", "mlp.router");

    static RouterCapture of(SafetensorsFile golden, int layer) {
        String layerPrefix = "cap.model.layers." + layer + ".";
        for (String module : ROUTERS) {
            String r = layerPrefix + module;
            if (golden.info(r + ".in.0") == null) continue;
            String logits = null, weights = null, index = null;
            for (int j = 0; j < 3; j++) {
                String key = r + ".out." + j;
                TensorInfo info = golden.info(key);
                if (info.dtype().name().startsWith("I")) index = key;
                else if (logits == null || info.shape()[1] > golden.info(logits).shape()[1]) {
                    if (logits != null) weights = logits;
                    logits = key;
                } else {
                    weights = key;
                }
            }
            String block = r.substring(0, r.lastIndexOf('.'));
            String blockOut = golden.info(block + ".out.0") != null ? block + ".out.0" : golden.info(block + ".out") != null ? block + ".out" : null;
            return new RouterCapture(r, logits, weights, index, blockOut);
        }
        return Assertions.fail("no router capture for layer " + layer + " (looked for " + ROUTERS + ")");
    }
}
