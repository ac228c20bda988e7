package io.moescope.model;

import io.moescope.tensor.CpuOps;

/** The SwiGLU MLP every architecture here uses, for experts, shared experts and dense layers: down(silu(gate x) * up x). */
public record FeedForward(Linear gate, Linear up, Linear down) {

    public float[] apply(float[] x, int rows) {
        float[] g = gate.apply(x, rows);
        float[] u = up.apply(x, rows);
        for (int i = 0; i < g.length; i++) g[i] = CpuOps.silu(g[i]) * u[i];
        return down.apply(g, rows);
    }

    public long parameterCount() {
        return gate.weight().size() + up.weight().size() + down.weight().size();
    }
}
