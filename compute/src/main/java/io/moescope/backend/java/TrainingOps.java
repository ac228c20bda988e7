package io.moescope.backend.java;

import static io.moescope.backend.java.JavaTensor.t;
import static io.moescope.backend.java.JavaTensor.writable;

import io.moescope.backend.RoutingRule;
import io.moescope.backend.Tensor;
import io.moescope.tensor.FloatTensor;

/** The next-token loss, the load-balancing loss's gradient, and the optimizers. */
final class TrainingOps {
    private final Scheduler scheduler;

    TrainingOps(Scheduler scheduler) {
        this.scheduler = scheduler;
    }

    Tensor nextTokenLoss(Tensor logits, Tensor ids) {
        float[] l = t(logits).data;
        int[] id = t(ids).ints;
        int T = id.length, V = l.length / T;
        // Rows in parallel, each summed in vector lanes and then in double; rows added in order.
        double[] perRow = new double[Math.max(0, T - 1)];
        scheduler.parallelFor(perRow.length, 4L * V, p -> {
            int o = p * V;
            float max = VectorKernels.max(l, o, V);
            perRow[p] = Math.log(VectorKernels.sumExp(l, o, V, max)) + max - l[o + id[p + 1]];
        });
        double total = 0;
        for (double r : perRow) total += r;
        return JavaTensor.of(new float[]{T < 2 ? Float.NaN : (float) (total / (T - 1))}, 1);
    }

    Tensor nextTokenLossBackward(Tensor logits, Tensor ids, float scale) {
        float[] l = t(logits).data;
        int[] id = t(ids).ints;
        int T = id.length, V = l.length / T;
        float[] out = new float[l.length];
        if (T < 2) return JavaTensor.of(out, t(logits).shape);   // no targets: the loss is NaN, its gradient zero
        double per = (double) scale / (T - 1);
        // Row p predicts ids[p + 1]: d loss / d logits = (softmax - one-hot) / (T - 1); the last row predicts nothing.
        scheduler.parallelFor(T - 1, V, p -> {
            int o = p * V;
            double max = Double.NEGATIVE_INFINITY;
            for (int v = 0; v < V; v++) max = Math.max(max, l[o + v]);
            double sum = 0;
            for (int v = 0; v < V; v++) sum += Math.exp(l[o + v] - max);
            for (int v = 0; v < V; v++) out[o + v] = (float) (Math.exp(l[o + v] - max) / sum * per);
            out[o + id[p + 1]] -= (float) per;
        });
        return JavaTensor.of(out, t(logits).shape);
    }

    Tensor softmaxWeightedSumBackward(Tensor logits, float[] c, float scale) {
        float[] l = t(logits).data;
        int E = c.length, T = l.length / E;
        float[] out = new float[l.length];
        float[] p = new float[E];
        for (int tok = 0; tok < T; tok++) {
            RoutingRule.softmax(l, tok * E, E, p);
            double dot = 0;
            for (int e = 0; e < E; e++) dot += (double) c[e] * p[e];
            // d/dl_e sum_m c_m p_m = p_e (c_e - sum_m c_m p_m)
            for (int e = 0; e < E; e++) out[tok * E + e] = (float) (scale * p[e] * (c[e] - dot));
        }
        return JavaTensor.of(out, t(logits).shape);
    }

    double sumOfSquares(Tensor x) {
        JavaTensor xt = t(x);
        double s = 0;
        if (xt.data != null) {
            for (float v : xt.data) s += (double) v * v;
        } else {
            long n = xt.size();
            float[] chunk = new float[(int) Math.min(n, 1 << 16)];
            for (long from = 0; from < n; from += chunk.length) {
                int len = (int) Math.min(chunk.length, n - from);
                xt.copy(from, chunk, 0, len);
                for (int i = 0; i < len; i++) s += (double) chunk[i] * chunk[i];
            }
        }
        return s;
    }

    void adamW(Tensor param, Tensor grad, Tensor m, Tensor v, float lr, float beta1, float beta2, float eps,
                      float weightDecay, int step) {
        if (step < 1) throw new IllegalArgumentException("adamW: step counts from 1, got " + step);
        float[] p = writable(param, "adamW"), g = t(grad).data, ms = writable(m, "adamW"), vs = writable(v, "adamW");
        // As torch.optim.AdamW: decay first, then the bias-corrected step lr * m_hat / (sqrt(v_hat) + eps).
        double bc1 = 1 - Math.pow(beta1, step), bc2 = 1 - Math.pow(beta2, step);
        float decay = 1f - lr * weightDecay;
        scheduler.parallelFor((p.length + 4095) / 4096, 4096, blk -> {
            int end = Math.min(p.length, blk * 4096 + 4096);
            for (int i = blk * 4096; i < end; i++) {
                ms[i] = beta1 * ms[i] + (1 - beta1) * g[i];
                vs[i] = beta2 * vs[i] + (1 - beta2) * g[i] * g[i];
                double denom = Math.sqrt(vs[i] / bc2) + eps;
                p[i] = (float) (p[i] * decay - lr * (ms[i] / bc1) / denom);
            }
        });
    }

    void lion(Tensor param, Tensor grad, Tensor m, float lr, float beta1, float beta2, float weightDecay) {
        float[] p = writable(param, "lion"), g = t(grad).data, ms = writable(m, "lion");
        // As in the Lion paper: the update's sign comes from beta1, the momentum kept uses beta2.
        float decay = 1f - lr * weightDecay;
        scheduler.parallelFor((p.length + 4095) / 4096, 4096, blk -> {
            int end = Math.min(p.length, blk * 4096 + 4096);
            for (int i = blk * 4096; i < end; i++) {
                float c = beta1 * ms[i] + (1 - beta1) * g[i];
                p[i] = p[i] * decay - lr * Math.signum(c);
                ms[i] = beta2 * ms[i] + (1 - beta2) * g[i];
            }
        });
    }
}
