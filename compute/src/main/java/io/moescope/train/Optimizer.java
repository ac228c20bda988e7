package io.moescope.train;

import io.moescope.backend.Backend;
import io.moescope.backend.Tensor;
import io.moescope.checkpoint.TensorData;
import io.moescope.grad.Gradients;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * AdamW or Lion over every trainable parameter, with its moments resident on the backend. Weight
 * decay applies to matrices only: decaying norm scales and biases toward zero only hurts.
 */
final class Optimizer {
    private final TrainingConfig cfg;
    private final Backend backend;
    private final Map<String, Tensor> params;
    private final Map<String, Tensor> m = new LinkedHashMap<>();
    private final Map<String, Tensor> v = new LinkedHashMap<>();

    Optimizer(TrainingConfig cfg, Backend backend, Map<String, Tensor> params) {
        this.cfg = cfg;
        this.backend = backend;
        this.params = params;
        for (var e : params.entrySet()) {
            m.put(e.getKey(), backend.zeros(e.getValue().shape()));
            if (isAdam()) v.put(e.getKey(), backend.zeros(e.getValue().shape()));
        }
    }

    private boolean isAdam() {
        return cfg.optimizer().equals("adamw");
    }

    void step(Gradients grads, double lr, int step) {
        for (var e : params.entrySet()) {
            String name = e.getKey();
            Tensor p = e.getValue(), g = grads.get(name);
            float wd = p.shape().length >= 2 ? (float) cfg.weightDecay() : 0f;
            if (isAdam()) {
                backend.adamW(p, g, m.get(name), v.get(name), (float) lr, (float) cfg.beta1(), (float) cfg.beta2(),
                        (float) cfg.eps(), wd, step);
            } else {
                backend.lion(p, g, m.get(name), (float) lr, (float) cfg.beta1(), (float) cfg.beta2(), wd);
            }
        }
    }

    /** Moments as tensors named m.<param> and v.<param>, for optimizer.safetensors. */
    List<TensorData> state() {
        List<TensorData> out = new ArrayList<>();
        for (var e : m.entrySet()) out.add(HostCopy.of(backend, "m." + e.getKey(), e.getValue()));
        for (var e : v.entrySet()) out.add(HostCopy.of(backend, "v." + e.getKey(), e.getValue()));
        return out;
    }

    /** Restores moments saved by {@link #state()}; values[name] are host copies. */
    void restore(Map<String, float[]> values) {
        for (var e : m.entrySet()) replace(e, values.get("m." + e.getKey()));
        for (var e : v.entrySet()) replace(e, values.get("v." + e.getKey()));
    }

    private void replace(Map.Entry<String, Tensor> e, float[] saved) {
        if (saved == null) throw new IllegalStateException("optimizer state lacks " + e.getKey());
        e.setValue(backend.upload(saved, e.getValue().shape()));
    }
}
