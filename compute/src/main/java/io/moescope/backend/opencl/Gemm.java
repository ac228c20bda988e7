package io.moescope.backend.opencl;

import io.moescope.backend.Tensor;
import java.util.List;

/**
 * Launches gemm.cl's products, C(m, n) = sum_k A(m, k) B(n, k), in the layouts the operations need:
 * x w^T for the forward pass, dy w for input gradients and dy^T x for weight gradients; for the
 * experts, over each expert's range of gathered rows as the device's dispatch recorded it, up to
 * EXPERTS_PER_LAUNCH experts at once.
 */
final class Gemm {
    /** Per-expert matrices a launch takes (gemm.cl's p0..p15 arguments). */
    private static final int EXPERTS_PER_LAUNCH = 16;
    /** Up to this many rows, linear uses the one-work-group-per-column kernel (SMALL_T in gemm.cl). */
    private static final int SMALL_T = 8;

    private final ClContext cl;

    Gemm(ClContext cl) {
        this.cl = cl;
    }

    /** c[T, N] = x[T, K] w[N, K]^T (+ bias). */
    void linear(OpenClTensor x, OpenClTensor w, OpenClTensor bias, OpenClTensor c, int T, int N, int K) {
        if (T <= SMALL_T) {
            cl.perGroup("linear_small", N, x, w, bias, bias != null, c, T, N, K);
        } else {
            dense("gemm_kk", x, K, w, K, c, N, bias, false, T, N, K);
        }
    }

    /** dx[T, K] (+)= dy[T, N] w[N, K]. */
    void inputGrad(OpenClTensor dy, OpenClTensor w, OpenClTensor dx, int T, int N, int K, boolean accumulate) {
        dense("gemm_kn", dy, N, w, K, dx, K, null, accumulate, T, K, N);
    }

    /** dW[N, K] += dy[T, N]^T x[T, K]. */
    void weightGrad(OpenClTensor dy, OpenClTensor x, OpenClTensor dW, int T, int N, int K) {
        dense("gemm_mn", dy, N, x, K, dW, K, null, true, N, K, T);
    }

    /**
     * The main program's tiles, unless they would leave compute units idle and a narrower tile was
     * built: then that one, for more work-groups.
     */
    private void dense(String kernel, OpenClTensor a, int lda, OpenClTensor b, int ldb, OpenClTensor c, int ldc, OpenClTensor bias,
                       boolean accumulate, int M, int N, int K) {
        GemmConfig t = cl.gemm;
        Kernels program = cl.kernels;
        if (cl.narrowKernels != null && (long) ceilDiv(M, t.bm()) * ceilDiv(N, t.bn()) < cl.computeUnits) {
            t = cl.narrowGemm;
            program = cl.narrowKernels;
        }
        program.launch(kernel, new long[]{(long) ceilDiv(N, t.bn()) * t.threads(), ceilDiv(M, t.bm())}, new long[]{t.threads(), 1},
                a, lda, b, ldb, c, ldc, bias, bias != null, accumulate, M, N, K);
    }

    /** Row ranges of the experts as expert_dispatch found them on the device. */
    record Groups(OpenClTensor offsets, OpenClTensor tileStart, int slots, int maxRows) {}

    /** Each expert's rows of c[*, N] = its rows of x[*, K] times its w[N, K]^T. */
    void expertLinear(OpenClTensor x, List<Tensor> w, OpenClTensor c, int N, int K, Groups g) {
        expertRows("gemm_expert_kk", x, K, w, K, c, N, false, N, K, g);
    }

    /** Each expert's rows of dx[*, K] (+)= its rows of dy[*, N] times its w[N, K]. */
    void expertInputGrad(OpenClTensor dy, List<Tensor> w, OpenClTensor dx, int N, int K, boolean accumulate, Groups g) {
        expertRows("gemm_expert_kn", dy, N, w, K, dx, K, accumulate, K, N, g);
    }

    /**
     * Each expert's rows of h[*, I] = silu(x gate^T) (x up^T), x [*, D], in one product whose tiles hold
     * gate and up columns side by side; also x gate^T into g and x up^T into u when g is not null.
     */
    void expertGlu(OpenClTensor x, List<Tensor> gate, List<Tensor> up, OpenClTensor h, OpenClTensor g, OpenClTensor u,
                   int I, int D, Groups groups) {
        GemmConfig t = cl.gemm;
        for (int e0 = 0; e0 < gate.size(); e0 += EXPERTS_PER_LAUNCH) {
            int n = Math.min(EXPERTS_PER_LAUNCH, gate.size() - e0);
            Object[] fixed = {x, D, h, g, u, g != null, I, D, I, D, groups.offsets(), groups.tileStart(), e0, n};
            Object[] args = new Object[fixed.length + 2 * EXPERTS_PER_LAUNCH];
            System.arraycopy(fixed, 0, args, 0, fixed.length);
            for (int i = 0; i < n; i++) {
                args[fixed.length + i] = OpenClTensor.of(gate.get(e0 + i));
                args[fixed.length + EXPERTS_PER_LAUNCH + i] = OpenClTensor.of(up.get(e0 + i));
            }
            cl.kernels.launch("gemm_expert_glu", new long[]{(long) ceilDiv(I, t.bn() / 2) * t.threads(), maxTiles(groups, n)},
                    new long[]{t.threads(), 1}, args);
        }
    }

    /** Each expert's dW[N, K] += dy^T x over its rows of dy[*, N] and x[*, K]. */
    void expertWeightGrad(OpenClTensor dy, OpenClTensor x, List<Tensor> dW, int N, int K, Groups g) {
        GemmConfig t = cl.gemm;
        for (int e0 = 0; e0 < dW.size(); e0 += EXPERTS_PER_LAUNCH) {
            int n = Math.min(EXPERTS_PER_LAUNCH, dW.size() - e0);
            Object[] args = withExperts(dW, e0, n, dy, N, x, K, K, true, N, K, g.offsets(), e0);
            cl.kernels.launch("gemm_expert_inner", new long[]{(long) ceilDiv(K, t.bn()) * t.threads(), ceilDiv(N, t.bm()), n},
                    new long[]{t.threads(), 1, 1}, args);
        }
    }

    private void expertRows(String kernel, OpenClTensor a, int lda, List<Tensor> w, int ldb, OpenClTensor c, int ldc,
                            boolean accumulate, int N, int K, Groups g) {
        GemmConfig t = cl.gemm;
        for (int e0 = 0; e0 < w.size(); e0 += EXPERTS_PER_LAUNCH) {
            int n = Math.min(EXPERTS_PER_LAUNCH, w.size() - e0);
            Object[] args = withExperts(w, e0, n, a, lda, c, ldc, ldb, accumulate, N, K, g.offsets(), g.tileStart(), e0, n);
            cl.kernels.launch(kernel, new long[]{(long) ceilDiv(N, t.bn()) * t.threads(), maxTiles(g, n)},
                    new long[]{t.threads(), 1}, args);
        }
    }

    /**
     * The most row tiles n experts can have: each tile but an expert's last is full, and no expert
     * has more than maxRows rows. The grid is this tall; work-groups past the real count leave at once.
     */
    private long maxTiles(Groups g, int n) {
        int bm = cl.gemm.bm();
        return Math.max(1, Math.min((long) n * ceilDiv(g.maxRows(), bm), ceilDiv(g.slots(), bm) + (long) n));
    }

    /** The fixed arguments, then experts e0..e0 + n - 1's tensors in the EXPERTS_PER_LAUNCH slots after them. */
    private static Object[] withExperts(List<Tensor> own, int e0, int n, Object... fixed) {
        Object[] args = new Object[fixed.length + EXPERTS_PER_LAUNCH];
        System.arraycopy(fixed, 0, args, 0, fixed.length);
        for (int i = 0; i < n; i++) args[fixed.length + i] = OpenClTensor.of(own.get(e0 + i));
        return args;
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }
}
