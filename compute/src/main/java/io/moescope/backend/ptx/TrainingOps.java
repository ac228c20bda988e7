package io.moescope.backend.ptx;

import io.moescope.backend.Tensor;

/** The next-token loss and its gradient, the load-balancing softmax gradient, norms and optimiser steps. */
final class TrainingOps {
    private final Gpu gpu;

    TrainingOps(Gpu gpu) {
        this.gpu = gpu;
    }

    Tensor nextTokenLoss(Tensor logitsT, Tensor idsT) {
        PtxTensor logits = Gpu.t(logitsT), ids = Gpu.t(idsT);
        int T = Math.toIntExact(ids.size());
        int V = vocab(logits, T);
        PtxTensor out = gpu.floats(1);
        try (PtxTensor rowLoss = gpu.doubles(T - 1)) {
            gpu.launch("ce_rows", T - 1, 1, 1, 256, 0, logits, ids, T, V, rowLoss);
            gpu.launch("ce_finish", 1, 1, 1, 256, 0, rowLoss, T - 1, out);
        }
        return out;
    }

    Tensor nextTokenLossBackward(Tensor logitsT, Tensor idsT, float scale) {
        PtxTensor logits = Gpu.t(logitsT), ids = Gpu.t(idsT);
        int T = Math.toIntExact(ids.size());
        int V = vocab(logits, T);
        PtxTensor out = gpu.floats(logits.shape());
        gpu.launch("ce_backward", T, 1, 1, 256, 0, logits, ids, T, V, scale, out);
        return out;
    }

    private static int vocab(PtxTensor logits, int T) {
        if (T == 0 || logits.size() % T != 0) throw new IllegalArgumentException("next-token loss: " + logits.size() + " logits for " + T + " ids");
        return Math.toIntExact(logits.size() / T);
    }

    Tensor softmaxWeightedSumBackward(Tensor logitsT, float[] c, float scale) {
        PtxTensor logits = Gpu.t(logitsT);
        int E = c.length;
        if (E == 0 || logits.size() % E != 0) throw new IllegalArgumentException("softmaxWeightedSumBackward: " + logits.size() + " logits for " + E + " weights");
        int T = Math.toIntExact(logits.size() / E);
        PtxTensor out = gpu.floats(logits.shape());
        try (PtxTensor cs = gpu.upload(c.clone(), E)) {
            gpu.perWarp("softmax_wsum_backward", T, logits, cs, T, E, scale, out);
        }
        return out;
    }

    double sumOfSquares(Tensor xT) {
        PtxTensor x = Gpu.t(xT);
        int blocks = (int) Math.max(1, Math.min((x.size() + 255) / 256, gpu.rt.multiprocessors * 4L));
        try (PtxTensor partial = gpu.doubles(blocks); PtxTensor total = gpu.doubles(1)) {
            gpu.launch("sumsq_partial", blocks, 1, 1, 256, 0, x, x.size(), partial);
            gpu.launch("sumsq_finish", 1, 1, 1, 256, 0, partial, blocks, total);
            return gpu.downloadDouble(total);
        }
    }

    void adamW(Tensor paramT, Tensor gradT, Tensor mT, Tensor vT, float lr, float beta1, float beta2, float eps,
               float weightDecay, int step) {
        if (step < 1) throw new IllegalArgumentException("adamW: step counts from 1, got " + step);
        PtxTensor p = Gpu.t(paramT), g = Gpu.t(gradT), m = Gpu.t(mT), v = Gpu.t(vT);
        sameSize("adamW", p, g, m, v);
        double bc1 = 1 - Math.pow(beta1, step), bc2 = 1 - Math.pow(beta2, step);
        gpu.elementwise("adamw", p.size(), p, g, m, v, p.size(), lr, beta1, beta2, eps, 1f - lr * weightDecay, bc1, bc2);
    }

    void lion(Tensor paramT, Tensor gradT, Tensor mT, float lr, float beta1, float beta2, float weightDecay) {
        PtxTensor p = Gpu.t(paramT), g = Gpu.t(gradT), m = Gpu.t(mT);
        sameSize("lion", p, g, m);
        gpu.elementwise("lion", p.size(), p, g, m, p.size(), lr, beta1, beta2, weightDecay);
    }

    private static void sameSize(String op, PtxTensor... ts) {
        for (PtxTensor t : ts) {
            if (t.size() != ts[0].size()) throw new IllegalArgumentException(op + ": tensors of " + ts[0].size() + " and " + t.size() + " values");
        }
    }
}
