package io.moescope.backend.opencl;

import io.moescope.backend.Tensor;

/** What training does to whole tensors: scaling, filling, norms and optimiser steps (optim.cl). */
final class OptimizerOps {
    /** Work-groups of the sum of squares: enough to fill a device, few enough to add up on the host. */
    private static final int SUM_GROUPS = 256;

    private final ClContext cl;

    OptimizerOps(ClContext cl) {
        this.cl = cl;
    }

    void scale(Tensor x, float s) {
        OpenClTensor t = OpenClTensor.of(x);
        cl.perItem("scale_inplace", t.size(), t, s, t.count());
    }

    void fill(Tensor x, float value) {
        cl.fill(OpenClTensor.of(x).mem(), value, x.size());
    }

    double sumOfSquares(Tensor x) {
        OpenClTensor t = OpenClTensor.of(x);
        int n = t.count();
        int groups = Math.max(1, Math.min(SUM_GROUPS, (n + cl.reductionSize - 1) / cl.reductionSize));
        float[] partial = new float[2 * groups];
        try (OpenClTensor p = cl.floats(2 * groups)) {
            cl.perGroup("sum_squares", groups, t, n, p);
            cl.read(p.mem(), partial);
        }
        double sum = 0;
        for (float f : partial) sum += f;
        return sum;
    }

    void adamW(Tensor param, Tensor grad, Tensor m, Tensor v, float lr, float beta1, float beta2, float eps,
               float weightDecay, int step) {
        if (step < 1) throw new IllegalArgumentException("adamW: step counts from 1, got " + step);
        OpenClTensor p = OpenClTensor.of(param);
        double bc1 = 1 - Math.pow(beta1, step), bc2 = 1 - Math.pow(beta2, step);
        cl.perItem("adamw", p.size(), p, OpenClTensor.of(grad), OpenClTensor.of(m), OpenClTensor.of(v), p.count(), lr,
                beta1, beta2, eps, weightDecay, (float) (lr / bc1), (float) Math.sqrt(bc2));
    }

    void lion(Tensor param, Tensor grad, Tensor m, float lr, float beta1, float beta2, float weightDecay) {
        OpenClTensor p = OpenClTensor.of(param);
        cl.perItem("lion", p.size(), p, OpenClTensor.of(grad), OpenClTensor.of(m), p.count(), lr, beta1, beta2, weightDecay);
    }
}
