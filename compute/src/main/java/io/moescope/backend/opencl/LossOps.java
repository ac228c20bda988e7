package io.moescope.backend.opencl;

import io.moescope.backend.Tensor;

/** Next-token cross-entropy, its gradient, and the load-balancing loss's softmax gradient (loss.cl). */
final class LossOps {
    private final ClContext cl;

    LossOps(ClContext cl) {
        this.cl = cl;
    }

    Tensor nextTokenLoss(Tensor logits, Tensor ids) {
        int rows = Math.max(0, (int) ids.size() - 1), V = logits.cols();
        OpenClTensor out = cl.floats(1);
        try (OpenClTensor rowLoss = cl.floats(rows)) {
            cl.perGroup("next_token_loss_rows", rows, OpenClTensor.of(logits), OpenClTensor.of(ids), V, rowLoss);
            cl.perGroup("mean_of", 1, rowLoss, rows, out);
        }
        return out;
    }

    Tensor nextTokenLossBackward(Tensor logits, Tensor ids, float scale) {
        int T = (int) ids.size(), V = logits.cols();
        OpenClTensor d = cl.floats(logits.shape());
        cl.perGroup("next_token_loss_backward", T, OpenClTensor.of(logits), OpenClTensor.of(ids), V, T, scale, d);
        return d;
    }

    Tensor softmaxWeightedSumBackward(Tensor logits, float[] c, float scale) {
        int E = logits.cols();
        if (c.length != E) throw new IllegalArgumentException(c.length + " load fractions for " + E + " experts");
        OpenClTensor d = cl.floats(logits.shape());
        try (OpenClTensor cT = cl.floats(E)) {
            cl.write(cT.mem(), c);
            cl.perGroup("softmax_weighted_sum_backward", logits.rows(), OpenClTensor.of(logits), cT, E, scale, d);
        }
        return d;
    }
}
