package io.moescope.backend.java;

import static io.moescope.backend.java.JavaTensor.t;
import static io.moescope.backend.java.JavaTensor.writable;

import io.moescope.backend.Rotary;
import io.moescope.backend.Tensor;

/** RMSNorm and rotary position embedding, and their gradients. */
final class NormOps {
    private final Scheduler scheduler;

    NormOps(Scheduler scheduler) {
        this.scheduler = scheduler;
    }

    Tensor rmsNorm(Tensor x, Tensor w, float eps) {
        float[] xs = t(x).data, ws = t(w).floats();
        int d = ws.length;
        float[] out = new float[xs.length];
        scheduler.parallelFor(xs.length / d, 3L * d, r -> {
            int o = r * d;
            float ss = VectorKernels.dot(xs, o, xs, o, d);
            float inv = (float) (1.0 / Math.sqrt(ss / d + eps));
            VectorKernels.scaleTimes(xs, o, inv, ws, out, d);
        });
        return JavaTensor.of(out, t(x).shape);
    }

    void rope(Tensor x, int heads, int stride, int offset, Rotary rotary) {
        float[] xs = writable(x, "rope");
        int dim = rotary.dim(), half = dim / 2;
        int T = xs.length / (heads * stride);
        RopeTables tables = ropeTables(rotary, T);
        float[] tmp = new float[dim];
        for (int p = 0; p < T; p++) {
            int a0 = p * half;
            for (int h = 0; h < heads; h++) {
                int base = (p * heads + h) * stride + offset;
                if (rotary.interleaved()) {
                    for (int i = 0; i < half; i++) {
                        tmp[i] = xs[base + 2 * i];
                        tmp[half + i] = xs[base + 2 * i + 1];
                    }
                } else {
                    System.arraycopy(xs, base, tmp, 0, dim);
                }
                for (int i = 0; i < half; i++) {
                    float a = tmp[i], b = tmp[half + i], cos = tables.cos[a0 + i], sin = tables.sin[a0 + i];
                    xs[base + i] = a * cos - b * sin;
                    xs[base + half + i] = b * cos + a * sin;
                }
            }
        }
    }

    /** cos and sin (times the attention factor) of position p's angles at [p * dim/2 + i]. */
    private record RopeTables(Rotary rotary, int positions, float[] cos, float[] sin) {}

    /**
     * The last tables made: a model shares one Rotary between its queries, keys and layers, so a
     * forward pass computes them once instead of twice a layer. Immutable once published.
     */
    private volatile RopeTables ropeTables;

    private RopeTables ropeTables(Rotary rotary, int T) {
        RopeTables cached = ropeTables;
        if (cached != null && cached.rotary() == rotary && cached.positions() >= T) return cached;
        int half = rotary.dim() / 2;
        float[] inv = rotary.invFreq();
        float f = rotary.attentionFactor();
        float[] cos = new float[T * half], sin = new float[T * half];
        for (int p = 0; p < T; p++) {
            for (int i = 0; i < half; i++) {
                float angle = (float) p * inv[i];
                cos[p * half + i] = (float) Math.cos(angle) * f;
                sin[p * half + i] = (float) Math.sin(angle) * f;
            }
        }
        RopeTables made = new RopeTables(rotary, T, cos, sin);
        ropeTables = made;
        return made;
    }

    Tensor rmsNormBackward(Tensor dy, Tensor x, Tensor w, float eps, Tensor dW) {
        float[] g = t(dy).data, xs = t(x).data, ws = t(w).floats();
        float[] dw = dW == null ? null : writable(dW, "rmsNormBackward dW");
        int d = ws.length;
        float[] dx = new float[xs.length];
        for (int r = 0; r < xs.length / d; r++) {
            int o = r * d;
            // The same inverse RMS as the forward pass, to the last bit.
            float ss = VectorKernels.dot(xs, o, xs, o, d);
            float inv = (float) (1.0 / Math.sqrt(ss / d + eps));
            // y_i = w_i x_i inv, so dx_i = inv w_i dy_i - x_i inv^3 / d * sum_j w_j dy_j x_j.
            double wgx = 0;
            for (int i = 0; i < d; i++) wgx += (double) ws[i] * g[o + i] * xs[o + i];
            float coef = (float) (wgx * inv * inv * inv / d);
            for (int i = 0; i < d; i++) {
                dx[o + i] = inv * ws[i] * g[o + i] - coef * xs[o + i];
                if (dw != null) dw[i] += g[o + i] * xs[o + i] * inv;
            }
        }
        return JavaTensor.of(dx, t(x).shape);
    }

    void ropeBackward(Tensor dx, int heads, int stride, int offset, Rotary rotary) {
        float[] xs = t(dx).data;
        int dim = rotary.dim(), half = dim / 2;
        int T = xs.length / (heads * stride);
        float[] inv = rotary.invFreq();
        float f = rotary.attentionFactor();
        float[] tmp = new float[dim];
        for (int p = 0; p < T; p++) {
            for (int h = 0; h < heads; h++) {
                int base = (p * heads + h) * stride + offset;
                // Forward wrote pair i to columns (i, half + i) whatever the input layout; undo the
                // rotation there (transpose: negative angle, same attention factor) ...
                for (int i = 0; i < half; i++) {
                    float angle = (float) p * inv[i];
                    float cos = (float) Math.cos(angle) * f, sin = (float) Math.sin(angle) * f;
                    float a = xs[base + i], b = xs[base + half + i];
                    tmp[i] = a * cos + b * sin;
                    tmp[half + i] = b * cos - a * sin;
                }
                // ... then undo the de-interleaving that interleaved tables did on the way in.
                if (rotary.interleaved()) {
                    for (int i = 0; i < half; i++) {
                        xs[base + 2 * i] = tmp[i];
                        xs[base + 2 * i + 1] = tmp[half + i];
                    }
                } else {
                    System.arraycopy(tmp, 0, xs, base, dim);
                }
            }
        }
    }
}
