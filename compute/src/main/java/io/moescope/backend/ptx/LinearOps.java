package io.moescope.backend.ptx;

import io.moescope.backend.Tensor;

/** nn.Linear forward and backward on the matrix products: x [T, K], weight [N, K], bias [N]. */
final class LinearOps {
    private final Gpu gpu;
    private final Gemm gemm;
    private final ColumnSums sums;

    LinearOps(Gpu gpu, Gemm gemm, ColumnSums sums) {
        this.gpu = gpu;
        this.gemm = gemm;
        this.sums = sums;
    }

    Tensor linear(Tensor xt, Tensor wt, Tensor biasT) {
        PtxTensor x = Gpu.t(xt), w = Gpu.t(wt), bias = Gpu.orNull(biasT);
        int N = w.dim(0), K = w.dim(1), T = x.rows();
        if (x.cols() != K) throw new IllegalArgumentException("linear: input width " + x.cols() + " != weight width " + K);
        if (bias != null && bias.size() != N) throw new IllegalArgumentException("linear: bias of " + bias.size() + " for " + N + " outputs");
        int[] shape = x.shape();
        shape[shape.length - 1] = N;
        PtxTensor out = gpu.floats(shape);
        gemm.run(T, N, K, Gemm.kMajor(x, K), Gemm.kMajor(w, K), out, N, 1f, 0f, bias, Gemm.TRI_NONE);
        return out;
    }

    Tensor linearBackward(Tensor dyT, Tensor xT, Tensor wT, Tensor dWT, Tensor dBiasT) {
        PtxTensor dy = Gpu.t(dyT), x = Gpu.t(xT), w = Gpu.t(wT), dW = Gpu.orNull(dWT), dBias = Gpu.orNull(dBiasT);
        int N = w.dim(0), K = w.dim(1), T = x.rows();
        if (x.cols() != K || dy.cols() != N || dy.rows() != T) {
            throw new IllegalArgumentException("linearBackward: dy " + Tensor.describe(dy.shape()) + ", x "
                    + Tensor.describe(x.shape()) + ", w " + Tensor.describe(w.shape()));
        }
        PtxTensor dx = gpu.floats(x.shape());
        // dx = dy w: B(k = n, j) = w[n, j] is row-major [K', N'] (not K-contiguous)
        gemm.run(T, K, N, Gemm.kMajor(dy, N), Gemm.mMajor(w, K), dx, K, 1f, 0f, null, Gemm.TRI_NONE);
        // dW += dy^T x: A(m = n, k = t) = dy[t, n] and B(k = t, j) = x[t, j], both row-major over t
        if (dW != null) gemm.run(N, K, T, Gemm.mMajor(dy, N), Gemm.mMajor(x, K), dW, K, 1f, 1f, null, Gemm.TRI_NONE);
        if (dBias != null) sums.accumulate(dy, null, null, T, N, dBias);
        return dx;
    }
}
