package io.moescope.backend.ptx;

import io.moescope.backend.Rotary;
import io.moescope.backend.Tensor;

/** RMSNorm and rotary embeddings, forward and backward. */
final class NormOps {
    private final Gpu gpu;
    private final ColumnSums sums;
    private final RotaryTables rotary;

    NormOps(Gpu gpu, ColumnSums sums) {
        this.gpu = gpu;
        this.sums = sums;
        this.rotary = new RotaryTables(gpu);
    }

    Tensor rmsNorm(Tensor xT, Tensor wT, float eps) {
        PtxTensor x = Gpu.t(xT), w = Gpu.t(wT);
        int d = Math.toIntExact(w.size());
        long rows = rows(x, d);
        PtxTensor out = gpu.floats(x.shape());
        gpu.perWarp("rmsnorm", rows, x, w, rows, d, eps, out);
        return out;
    }

    Tensor rmsNormBackward(Tensor dyT, Tensor xT, Tensor wT, float eps, Tensor dWT) {
        PtxTensor dy = Gpu.t(dyT), x = Gpu.t(xT), w = Gpu.t(wT), dW = Gpu.orNull(dWT);
        int d = Math.toIntExact(w.size());
        long rows = rows(x, d);
        PtxTensor dx = gpu.floats(x.shape());
        PtxTensor rinv = dW == null ? null : gpu.floats(Math.toIntExact(Math.max(1, rows)));
        gpu.perWarp("rmsnorm_backward", rows, dy, x, w, rows, d, eps, dx, rinv);
        if (dW != null) {
            // dW_i += sum over rows of dy_i x_i inv(row)
            sums.accumulate(dy, x, rinv, rows, d, dW);
            rinv.close();
        }
        return dx;
    }

    private static long rows(PtxTensor x, int d) {
        if (d == 0 || x.size() % d != 0) throw new IllegalArgumentException("rmsNorm: " + x.size() + " values are not groups of " + d);
        return x.size() / d;
    }

    void rope(Tensor xT, int heads, int stride, int offset, Rotary r, boolean backward) {
        PtxTensor x = Gpu.t(xT);
        int half = r.invFreq().length;
        long T = x.size() / ((long) heads * stride);
        if (half == 0 || T == 0) return;
        if (offset + 2 * half > stride) throw new IllegalArgumentException("rope: dims " + offset + ".." + (offset + 2 * half) + " exceed stride " + stride);
        int warps = 4;
        int shared = (2 * half + warps * 2 * half) * 4;
        gpu.launch("rope", T, 1, 1, 32 * warps, shared, x, rotary.of(r), heads, stride, offset, half,
                r.interleaved() ? 1 : 0, r.attentionFactor(), backward ? 1 : 0);
    }
}
