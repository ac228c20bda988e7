package io.moescope.backend.java;

import static io.moescope.backend.java.JavaTensor.t;
import static io.moescope.backend.java.JavaTensor.writable;

import io.moescope.backend.Tensor;
import java.lang.foreign.MemorySegment;

/** The matrix products of linear layers, x w^T, and their gradients. */
final class Gemm {
    private final Scheduler scheduler;

    Gemm(Scheduler scheduler) {
        this.scheduler = scheduler;
    }

    Tensor linear(Tensor x, Tensor w, Tensor bias) {
        JavaTensor xt = t(x), wt = t(w);
        int K = wt.shape[1], N = wt.shape[0], T = xt.rows();
        if (xt.cols() != K) throw new IllegalArgumentException("linear: input width " + xt.cols() + " != weight width " + K);
        float[] b = bias == null ? null : t(bias).floats();
        // A weight stored narrower than float32 is read through its panels, which widen it once, not at every dot product.
        float[] out = T < SMALL_T && !wt.narrow() ? matmulByDots(xt.data, T, K, wt.segment(), N, b)
                : matmul(xt.data, T, K, wt.panels(), b);
        int[] shape = xt.shape.clone();
        shape[shape.length - 1] = N;
        return JavaTensor.of(out, shape);
    }

    /**
     * x [T, K] times w^T (w [N, K] as panels), plus bias [N] or null: [T, N]. Tasks own blocks of
     * rows times runs of panels and write only those; within a task every panel (K x width floats,
     * in L2) meets all the task's rows, read in place from x.
     */
    private float[] matmul(float[] x, int T, int K, WeightPanels w, float[] b) {
        float[] out = new float[T * w.n];
        int[] rows = rowOffsets(T, K);
        int panels = w.panelCount();
        // Rows in blocks of about 256 KB of x, half of a typical L2; all of them if that is one block.
        int R = w.kernel.rows;
        int blockRows = Math.max(R, BLOCK_FLOATS / K / R * R);
        int rowBlocks = (T + blockRows - 1) / blockRows;
        // Enough runs of panels for the threads to balance (4 tasks each), at least one panel a run.
        int run = Math.max(1, panels * rowBlocks / (4 * scheduler.threads()));
        int runs = (panels + run - 1) / run;
        // Task order: a run of panels meets its row blocks one after the other, while it is in cache.
        scheduler.parallelFor(runs * rowBlocks, (long) blockRows * run * w.width * K, task -> {
            int p0 = (task / rowBlocks) * run, r0 = (task % rowBlocks) * blockRows;
            w.multiply(x, rows, r0, Math.min(T, r0 + blockRows), p0, Math.min(panels, p0 + run), out, 0, w.n, b);
        });
        return out;
    }

    /** Offsets of rows [0, T) of a [T, K] matrix, padded with row 0 for the kernel's last block. */
    static int[] rowOffsets(int T, int K) {
        int[] rows = new int[T + WeightPanels.MAX_ROWS];
        for (int r = 0; r < T; r++) rows[r] = r * K;
        return rows;
    }

    /**
     * Below this many rows, matmulByDots, which needs no packed weights. Measured on AVX-512 with
     * the former product (x packed in 32-row panels): dots won up to 12 rows, panels from 16; not
     * measured again for WeightPanels, whose kernel takes 8 rows at a time.
     */
    private static final int SMALL_T = 16;

    /** Floats of x per block of rows: 256 KB, half of a typical L2. */
    private static final int BLOCK_FLOATS = 1 << 16;

    /** The same product for a few rows: four rows at a time against each weight row, as dot products. */
    private float[] matmulByDots(float[] xs, int T, int K, MemorySegment ws, int N, float[] b) {
        float[] out = new float[T * N];
        int blocks = (N + 15) / 16;
        scheduler.parallelFor(blocks, 16L * T * K, blk -> {
            float[] four = new float[4];
            int j1 = Math.min(N, blk * 16 + 16);
            for (int j = blk * 16; j < j1; j++) {
                long wo = (long) j * K * 4;
                float bj = b == null ? 0f : b[j];
                int r = 0;
                for (; r + 4 <= T; r += 4) {
                    VectorKernels.dot4(xs, r * K, (r + 1) * K, (r + 2) * K, (r + 3) * K, ws, wo, K, four);
                    for (int q = 0; q < 4; q++) out[(r + q) * N + j] = four[q] + bj;
                }
                for (; r < T; r++) out[r * N + j] = VectorKernels.dot(xs, r * K, ws, wo, K) + bj;
            }
        });
        return out;
    }

    Tensor linearBackward(Tensor dy, Tensor x, Tensor w, Tensor dW, Tensor dBias) {
        JavaTensor dyt = t(dy), xt = t(x), wt = t(w);
        int N = wt.shape[0], K = wt.shape[1], T = xt.rows();
        if (xt.cols() != K || dyt.cols() != N || dyt.rows() != T) {
            throw new IllegalArgumentException("linearBackward: dy " + Tensor.describe(dyt.shape) + ", x "
                    + Tensor.describe(xt.shape) + ", w " + Tensor.describe(wt.shape));
        }
        float[] g = dyt.data, xs = xt.data;
        MemorySegment ws = wt.segment();
        float[] dx = new float[T * K];
        // dx = dy w: each task owns a block of 4 rows of dx and streams w once for them.
        int rowBlocks = (T + 3) / 4;
        scheduler.parallelFor(rowBlocks, 4L * N * K, blk -> {
            int r1 = Math.min(T, blk * 4 + 4);
            for (int j = 0; j < N; j++) {
                for (int r = blk * 4; r < r1; r++) VectorKernels.axpy(g[r * N + j], ws, (long) j * K * 4, dx, r * K, K);
            }
        });
        if (dW != null) {
            float[] dw = writable(dW, "linearBackward dW");
            // dW += dy^T x: each task owns rows of dW, so no two tasks write the same value.
            scheduler.parallelFor(N, (long) T * K, j -> {
                for (int r = 0; r < T; r++) VectorKernels.axpy(g[r * N + j], xs, r * K, dw, j * K, K);
            });
        }
        if (dBias != null) {
            float[] db = writable(dBias, "linearBackward dBias");
            for (int j = 0; j < N; j++) {
                double s = 0;
                for (int r = 0; r < T; r++) s += g[r * N + j];
                db[j] += (float) s;
            }
        }
        return JavaTensor.of(dx, xt.shape);
    }
}
