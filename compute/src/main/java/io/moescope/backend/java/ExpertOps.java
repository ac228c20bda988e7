package io.moescope.backend.java;

import static io.moescope.backend.java.JavaTensor.t;
import static io.moescope.backend.java.JavaTensor.writable;

import io.moescope.backend.ExpertWeights;
import io.moescope.backend.Routing;
import io.moescope.backend.Tensor;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/** The routed experts of an MoE block (SwiGLU feed-forwards), forward and backward. */
final class ExpertOps {
    private final Scheduler scheduler;
    private final ScratchBuffers scratch = new ScratchBuffers();

    ExpertOps(Scheduler scheduler) {
        this.scheduler = scheduler;
    }

    /**
     * All experts in two parallel phases over shared buffers, each split into tasks of (expert, run
     * of weight panels) so that the threads stay busy however unevenly tokens are routed: first
     * gate and up with SwiGLU, reading each expert's tokens in place from x, then down. Outputs are
     * mixed in last, per token in expert order (the order in which the experts' sums were added
     * when each expert was a task of its own).
     */
    Tensor experts(Tensor x, Routing routing, ExpertWeights weights) {
        JavaTensor xt = t(x);
        int T = xt.rows(), D = xt.cols(), k = routing.spec().k(), E = weights.count(), S = T * k;
        int[] idx = t(routing.index()).ints;
        float[] w = t(routing.weight()).data;
        // Slots (token * k + j) grouped by expert, in token order: expert e owns rows [start[e], start[e + 1]) of the buffers.
        int[] start = new int[E + 1];
        for (int e : idx) start[e + 1]++;
        for (int e = 0; e < E; e++) start[e + 1] += start[e];
        int[] rowOf = new int[S];
        int[] xRows = new int[S + WeightPanels.MAX_ROWS];   // buffer row -> its token's row offset in x
        int[] fill = Arrays.copyOf(start, E);
        for (int s = 0; s < S; s++) {
            int r = fill[idx[s]]++;
            rowOf[s] = r;
            xRows[r] = (s / k) * D;
        }
        WeightPanels[] gate = new WeightPanels[E], up = new WeightPanels[E], down = new WeightPanels[E];
        int I = t(weights.gate().get(0)).shape[0];
        scheduler.parallelFor(E, 3L * I * D, e -> {   // packs them on first use, in parallel
            if (start[e + 1] == start[e]) return;
            gate[e] = t(weights.gate().get(e)).panels();
            up[e] = t(weights.up().get(e)).panels();
            down[e] = t(weights.down().get(e)).panels();
        });
        // h: every row is some expert's, every column one of its panels, so all of it is written.
        float[] h = scratch.take(S * I), y = scratch.take(S * D);
        int W = WeightPanels.KERNEL.width;
        long perRow = 2L * I * D / E;
        forExpertPanels(start, (I + W - 1) / W, perRow, (e, p0, p1) -> {
            int r0 = start[e], n = start[e + 1] - r0;
            float[] u = new float[n * W];   // one panel of up's output: out[r * W + c] at u[(r - r0) * W + c - p * W]
            for (int p = p0; p < p1; p++) {
                int c0 = p * W, c1 = Math.min(I, c0 + W);
                gate[e].multiply(xt.data, xRows, r0, r0 + n, p, p + 1, h, 0, I, null);
                up[e].multiply(xt.data, xRows, r0, r0 + n, p, p + 1, u, -r0 * W - c0, W, null);
                for (int r = 0; r < n; r++) VectorKernels.swiglu(h, (r0 + r) * I + c0, u, r * W, c1 - c0);
            }
        });
        int[] hRows = Gemm.rowOffsets(S, I);
        forExpertPanels(start, (D + W - 1) / W, perRow / 2, (e, p0, p1) ->
                down[e].multiply(h, hRows, start[e], start[e + 1], p0, p1, y, 0, D, null));
        float[] out = new float[T * D];
        scheduler.parallelFor(T, 2L * k * D, tok -> {
            // This token's slots by expert (insertion sort: k is small), each added into its row.
            int[] order = new int[k];
            for (int j = 0; j < k; j++) {
                int s = tok * k + j, at = j;
                while (at > 0 && idx[order[at - 1]] > idx[s]) order[at] = order[--at];
                order[at] = s;
            }
            for (int s : order) VectorKernels.axpy(w[s], y, rowOf[s] * D, out, tok * D, D);
        });
        scratch.give(h);
        scratch.give(y);
        return JavaTensor.of(out, T, D);
    }

    /** One task of {@link #forExpertPanels}: expert e, panels [p0, p1). */
    private interface ExpertTask {
        void run(int e, int p0, int p1);
    }

    /**
     * Runs body over every expert that has rows, its panels cut into runs so that there are about
     * 16 tasks a thread: experts differ in size, and many small tasks even out the threads' loads.
     */
    private void forExpertPanels(int[] start, int panels, long workPerRowPanel, ExpertTask body) {
        int E = start.length - 1, used = 0;
        for (int e = 0; e < E; e++) if (start[e + 1] > start[e]) used++;
        int run = Math.max(1, (int) Math.ceil((double) used * panels / (16 * scheduler.threads())));
        int runs = (panels + run - 1) / run;
        int[] tasks = new int[used * runs];
        int n = 0;
        for (int e = 0; e < E; e++) {
            if (start[e + 1] == start[e]) continue;
            for (int r = 0; r < runs; r++) tasks[n++] = e * runs + r;
        }
        long rows = start[E];
        scheduler.parallelFor(n, Math.max(1, rows / Math.max(1, used)) * run * workPerRowPanel / panels, i -> {
            int e = tasks[i] / runs, p0 = (tasks[i] % runs) * run;
            body.run(e, p0, Math.min(panels, p0 + run));
        });
    }

    Tensor[] expertsBackward(Tensor dOut, Tensor x, Routing routing, ExpertWeights weights, ExpertWeights dWeights) {
        JavaTensor xt = t(x);
        int T = xt.rows(), D = xt.cols(), k = routing.spec().k(), E = weights.count();
        int[] idx = t(routing.index()).ints;
        float[] w = t(routing.weight()).data, g = t(dOut).data;
        float[] dWeight = new float[T * k];
        float[][] dxPerExpert = new float[E][];
        int[][] slotsPerExpert = new int[E][];
        for (int e = 0; e < E; e++) {
            int n = 0;
            for (int s = 0; s < T * k; s++) if (idx[s] == e) n++;
            int[] slots = new int[n];   // token * k + slot, in token order, as the forward pass gathers
            n = 0;
            for (int s = 0; s < T * k; s++) if (idx[s] == e) slots[n++] = s;
            slotsPerExpert[e] = slots;
        }
        // Experts are independent: one task each, and each writes only its own weight gradients,
        // its own dWeight slots and its own dx buffer (scattered below, in expert order).
        scheduler.parallelFor(E, 3L * D * weights.gate().get(0).dim(0) * Math.max(1, T * k / E), e -> {
            int[] slots = slotsPerExpert[e];
            if (slots.length == 0) return;
            dxPerExpert[e] = expertBackward(e, slots, k, xt.data, D, g, w, dWeight, weights, dWeights);
        });
        float[] dx = new float[T * D];
        for (int e = 0; e < E; e++) {
            int[] slots = slotsPerExpert[e];
            for (int r = 0; r < slots.length; r++) VectorKernels.axpy(1f, dxPerExpert[e], r * D, dx, (slots[r] / k) * D, D);
        }
        return new Tensor[]{JavaTensor.of(dx, xt.shape), JavaTensor.of(dWeight, T, k)};
    }

    /**
     * One expert over its n gathered rows X [n, D]: recomputes G = X W1^T, U = X W3^T and
     * Hs = silu(G) U (cheaper to redo than to keep for every layer), then propagates back the
     * gathered dOut. The output Y = Hs W2^T itself is not needed: with Z = dOut W2,
     * dWeight = Z . Hs and dHs = weight * Z. Returns dX [n, D]; fills dWeight of its slots.
     */
    private static float[] expertBackward(int e, int[] slots, int k, float[] x, int D, float[] dOut, float[] w,
                                          float[] dWeight, ExpertWeights weights, ExpertWeights dWeights) {
        JavaTensor w1 = t(weights.gate().get(e)), w3 = t(weights.up().get(e)), w2 = t(weights.down().get(e));
        int n = slots.length, I = w1.shape[0];
        float[] X = new float[n * D], dY = new float[n * D];
        for (int r = 0; r < n; r++) {
            System.arraycopy(x, (slots[r] / k) * D, X, r * D, D);
            System.arraycopy(dOut, (slots[r] / k) * D, dY, r * D, D);
        }
        float[] G = matmulNT(X, n, D, w1.segment(), I), U = matmulNT(X, n, D, w3.segment(), I);
        float[] Hs = new float[n * I];
        for (int i = 0; i < Hs.length; i++) Hs[i] = G[i] / (1f + (float) Math.exp(-G[i])) * U[i];

        float[] dHs = matmulNN(dY, n, D, w2.segment(), I);   // Z = dOut W2, scaled below into dHs
        for (int r = 0; r < n; r++) {
            int s = slots[r];
            dWeight[s] = VectorKernels.dot(dHs, r * I, Hs, r * I, I);
            for (int i = 0; i < I; i++) dHs[r * I + i] *= w[s];
            for (int d = 0; d < D; d++) dY[r * D + d] *= w[s];   // now the gradient of this expert's output
        }
        if (dWeights != null) accumulateOuter(dY, n, D, Hs, I, writable(dWeights.down().get(e), "expertsBackward"));
        float[] dG = new float[n * I], dU = new float[n * I];
        for (int i = 0; i < dG.length; i++) {
            float sig = 1f / (1f + (float) Math.exp(-G[i]));
            dG[i] = dHs[i] * U[i] * sig * (1f + G[i] * (1f - sig));
            dU[i] = dHs[i] * G[i] * sig;
        }
        float[] dX = matmulNN(dG, n, I, w1.segment(), D);
        float[] dXu = matmulNN(dU, n, I, w3.segment(), D);
        VectorKernels.axpy(1f, dXu, 0, dX, 0, dX.length);
        if (dWeights != null) {
            accumulateOuter(dG, n, I, X, D, writable(dWeights.gate().get(e), "expertsBackward"));
            accumulateOuter(dU, n, I, X, D, writable(dWeights.up().get(e), "expertsBackward"));
        }
        return dX;
    }

    /** x [n, K] times w [N, K] transposed, sequentially: [n, N]. */
    private static float[] matmulNT(float[] x, int n, int K, MemorySegment w, int N) {
        float[] out = new float[n * N];
        for (int r = 0; r < n; r++) {
            for (int j = 0; j < N; j++) out[r * N + j] = VectorKernels.dot(x, r * K, w, (long) j * K * 4, K);
        }
        return out;
    }

    /** dy [n, N] times w [N, K], sequentially: [n, K]. */
    private static float[] matmulNN(float[] dy, int n, int N, MemorySegment w, int K) {
        float[] out = new float[n * K];
        for (int r = 0; r < n; r++) {
            for (int j = 0; j < N; j++) VectorKernels.axpy(dy[r * N + j], w, (long) j * K * 4, out, r * K, K);
        }
        return out;
    }

    /** acc [N, K] += dy^T x for dy [n, N] and x [n, K]. */
    private static void accumulateOuter(float[] dy, int n, int N, float[] x, int K, float[] acc) {
        for (int j = 0; j < N; j++) {
            for (int r = 0; r < n; r++) VectorKernels.axpy(dy[r * N + j], x, r * K, acc, j * K, K);
        }
    }
}
