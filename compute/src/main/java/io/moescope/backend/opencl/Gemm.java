package io.moescope.backend.opencl;

import io.moescope.backend.Tensor;
import java.util.List;

/**
 * Launches the GEMM kernels, C(m, n) = sum_k A(m, k) B(n, k), in the layouts the operations
 * need: x w^T for the forward pass, dy w for input gradients and dy^T x for weight gradients;
 * for the experts, over each expert's range of gathered rows as the device's dispatch recorded
 * it, up to EXPERTS_PER_LAUNCH experts at once.
 */
final class Gemm {
    /** A matrix read as M(r, c) = t[r * rowStride + c * colStride]. */
    private record Strided(OpenClTensor t, int rowStride, int colStride) {}

    /** Per-expert matrices a gemm_experts launch takes (its p0..p15 arguments). */
    private static final int EXPERTS_PER_LAUNCH = 16;
    /** Up to this many rows, linear uses the one-work-group-per-column kernel (SMALL_T in gemm.cl). */
    private static final int SMALL_T = 8;
    private static final int EXPERT_ROWS = 1, EXPERT_INNER = 2;

    private final ClContext cl;
    private final int threads;
    private final int tile;

    Gemm(ClContext cl) {
        this.cl = cl;
        this.threads = cl.gemmThreads;
        this.tile = cl.gemmThreads * cl.gemmWidth;
    }

    /** c[T, N] = x[T, K] w[N, K]^T (+ bias). */
    void linear(OpenClTensor x, OpenClTensor w, OpenClTensor bias, OpenClTensor c, int T, int N, int K) {
        if (T <= SMALL_T) {
            cl.perGroup("linear_small", N, x, w, bias, bias != null, c, T, N, K);
        } else {
            run(new Strided(x, K, 1), new Strided(w, K, 1), c, N, bias, false, T, N, K);
        }
    }

    /** dx[T, K] (+)= dy[T, N] w[N, K]. */
    void inputGrad(OpenClTensor dy, OpenClTensor w, OpenClTensor dx, int T, int N, int K, boolean accumulate) {
        run(new Strided(dy, N, 1), new Strided(w, 1, K), dx, K, null, accumulate, T, K, N);
    }

    /** dW[N, K] += dy[T, N]^T x[T, K]. */
    void weightGrad(OpenClTensor dy, OpenClTensor x, OpenClTensor dW, int T, int N, int K) {
        run(new Strided(dy, 1, N), new Strided(x, 1, K), dW, K, null, true, N, K, T);
    }

    /** Each expert's rows of c[*, N] = its rows of x[*, K] times its w[N, K]^T; no expert has more than maxRows. */
    void expertLinear(OpenClTensor x, List<Tensor> w, OpenClTensor c, int maxRows, int N, int K, OpenClTensor offsets) {
        experts(new Strided(x, K, 1), null, K, 1, c, N, false, maxRows, N, K, offsets, w, EXPERT_ROWS);
    }

    /** Each expert's rows of dx[*, K] (+)= its rows of dy[*, N] times its w[N, K]. */
    void expertInputGrad(OpenClTensor dy, List<Tensor> w, OpenClTensor dx, int maxRows, int N, int K, boolean accumulate,
                         OpenClTensor offsets) {
        experts(new Strided(dy, N, 1), null, 1, K, dx, K, accumulate, maxRows, K, N, offsets, w, EXPERT_ROWS);
    }

    /** Each expert's dW[N, K] += dy^T x over its rows of dy[*, N] and x[*, K]. */
    void expertWeightGrad(OpenClTensor dy, OpenClTensor x, List<Tensor> dW, int N, int K, OpenClTensor offsets) {
        experts(new Strided(dy, 1, N), x, 1, K, null, K, true, N, K, 0, offsets, dW, EXPERT_INNER);
    }

    private void run(Strided a, Strided b, OpenClTensor c, int ldc, OpenClTensor bias, boolean accumulate, int M, int N, int K) {
        cl.kernels.launch("gemm", new long[]{(long) ceilDiv(N, tile) * threads, (long) ceilDiv(M, tile) * threads},
                new long[]{threads, threads},
                a.t(), a.rowStride(), a.colStride(), b.t(), b.rowStride(), b.colStride(), c, ldc, bias, bias != null,
                accumulate, M, N, K);
    }

    /**
     * gemm_experts over all experts, EXPERTS_PER_LAUNCH at a time. B is {@code b} read with
     * strides (sbn, sbk), or each expert's own matrix when {@code b} is null; C likewise.
     */
    private void experts(Strided a, OpenClTensor b, int sbn, int sbk, OpenClTensor c, int ldc, boolean accumulate,
                         int M, int N, int K, OpenClTensor offsets, List<Tensor> own, int mode) {
        for (int e0 = 0; e0 < own.size(); e0 += EXPERTS_PER_LAUNCH) {
            int n = Math.min(EXPERTS_PER_LAUNCH, own.size() - e0);
            Object[] args = new Object[15 + EXPERTS_PER_LAUNCH];
            Object[] fixed = {a.t(), a.rowStride(), a.colStride(), b, sbn, sbk, c, ldc, accumulate, M, N, K, offsets, e0, mode};
            System.arraycopy(fixed, 0, args, 0, fixed.length);
            for (int i = 0; i < n; i++) args[fixed.length + i] = OpenClBackend.cl(own.get(e0 + i));
            cl.kernels.launch("gemm_experts",
                    new long[]{(long) ceilDiv(N, tile) * threads, (long) ceilDiv(M, tile) * threads, n},
                    new long[]{threads, threads, 1}, args);
        }
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }
}
