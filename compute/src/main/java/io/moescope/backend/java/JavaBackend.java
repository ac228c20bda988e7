package io.moescope.backend.java;

import io.moescope.backend.AttentionGradients;
import io.moescope.backend.AttentionOutput;
import io.moescope.backend.AttentionSpec;
import io.moescope.backend.Backend;
import io.moescope.backend.Backends;
import io.moescope.backend.DeviceInfo;
import io.moescope.backend.ExpertWeights;
import io.moescope.backend.Rotary;
import io.moescope.backend.RouterSpec;
import io.moescope.backend.Routing;
import io.moescope.backend.RoutingRule;
import io.moescope.backend.Tensor;
import io.moescope.tensor.FloatTensor;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;
import jdk.incubator.vector.FloatVector;

/**
 * The reference backend: plain Java with the Vector API on all cores (or as many threads as
 * asked). Mapped float32 weights are read in place; activations live on the heap.
 */
public final class JavaBackend implements Backend {
    private final ForkJoinPool pool;
    private final int threads;
    private final ScratchBuffers scratch = new ScratchBuffers();

    public JavaBackend() {
        this(Runtime.getRuntime().availableProcessors());
    }

    public JavaBackend(int threads) {
        if (threads < 1) throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        this.threads = threads;
        this.pool = new ForkJoinPool(threads);
    }

    @Override
    public String name() {
        return "java";
    }

    @Override
    public DeviceInfo device() {
        return new DeviceInfo("java", Backends.cpuModel(), Runtime.getRuntime().maxMemory(),
                threads, "Vector API, " + VectorKernels.S.length() + " float lanes");
    }

    /**
     * Runs body(i) for i in [0, n), spread over the pool when there is enough work. The calling
     * thread takes part and items go out in order from a shared counter: a parallel stream parked
     * the caller, woke it again at the end, and split the range into tasks sized for the common
     * pool rather than this one, which cost tens of microseconds a call, and calls come about a
     * hundred times a forward pass, many for sub-millisecond operations. In-order dispensing also
     * keeps the orders that callers choose (the largest attention blocks first).
     */
    private void parallelFor(int n, long workPerItem, IntConsumer body) {
        if (threads == 1 || n < 2 || n * workPerItem < 32_768) {
            for (int i = 0; i < n; i++) body.accept(i);
            return;
        }
        AtomicInteger next = new AtomicInteger();
        Runnable worker = () -> {
            for (int i; (i = next.getAndIncrement()) < n; ) body.accept(i);
        };
        ForkJoinTask<?>[] helpers = new ForkJoinTask<?>[Math.min(threads, n) - 1];
        for (int h = 0; h < helpers.length; h++) helpers[h] = pool.submit(worker);
        try {
            worker.run();
        } catch (RuntimeException | Error e) {
            next.set(n);   // the helpers stop at their next item
            throw e;
        } finally {
            for (ForkJoinTask<?> h : helpers) h.join();
        }
    }

    private static JavaTensor t(Tensor x) {
        return (JavaTensor) x;
    }

    // ---- moving data -------------------------------------------------------------------------

    @Override
    public Tensor upload(FloatTensor weight) {
        return JavaTensor.mapped(weight);
    }

    @Override
    public Tensor upload(float[] values, int... shape) {
        return JavaTensor.of(values.clone(), shape);
    }

    @Override
    public Tensor uploadInts(int[] values, int... shape) {
        return JavaTensor.ofInts(values.clone(), shape);
    }

    @Override
    public Tensor zeros(int... shape) {
        long n = 1;
        for (int d : shape) n *= d;
        return JavaTensor.of(new float[Math.toIntExact(n)], shape);
    }

    @Override
    public float[] download(Tensor x) {
        return t(x).floats().clone();
    }

    @Override
    public int[] downloadInts(Tensor x) {
        return t(x).ints.clone();
    }

    @Override
    public Tensor reshape(Tensor x, int... shape) {
        return t(x).view(shape);
    }

    // ---- forward -----------------------------------------------------------------------------

    @Override
    public Tensor embedding(Tensor table, Tensor ids) {
        JavaTensor tab = t(table);
        int[] id = t(ids).ints;
        int D = tab.shape[1];
        float[] out = new float[id.length * D];
        MemorySegment seg = tab.segment();
        for (int i = 0; i < id.length; i++) {
            MemorySegment.copy(seg, FloatTensor.LAYOUT, (long) id[i] * D * 4, out, i * D, D);
        }
        return JavaTensor.of(out, id.length, D);
    }

    @Override
    public Tensor linear(Tensor x, Tensor w, Tensor bias) {
        JavaTensor xt = t(x), wt = t(w);
        int K = wt.shape[1], N = wt.shape[0], T = xt.rows();
        if (xt.cols() != K) throw new IllegalArgumentException("linear: input width " + xt.cols() + " != weight width " + K);
        float[] b = bias == null ? null : t(bias).floats();
        float[] out = T < SMALL_T ? matmulByDots(xt.data, T, K, wt.segment(), N, b) : matmul(xt.data, T, K, wt.panels(), b);
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
        int run = Math.max(1, panels * rowBlocks / (4 * threads));
        int runs = (panels + run - 1) / run;
        // Task order: a run of panels meets its row blocks one after the other, while it is in cache.
        parallelFor(runs * rowBlocks, (long) blockRows * run * w.width * K, task -> {
            int p0 = (task / rowBlocks) * run, r0 = (task % rowBlocks) * blockRows;
            w.multiply(x, rows, r0, Math.min(T, r0 + blockRows), p0, Math.min(panels, p0 + run), out, 0, w.n, b);
        });
        return out;
    }

    /** Offsets of rows [0, T) of a [T, K] matrix, padded with row 0 for the kernel's last block. */
    private static int[] rowOffsets(int T, int K) {
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
        parallelFor(blocks, 16L * T * K, blk -> {
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

    @Override
    public Tensor rmsNorm(Tensor x, Tensor w, float eps) {
        float[] xs = t(x).data, ws = t(w).floats();
        int d = ws.length;
        float[] out = new float[xs.length];
        parallelFor(xs.length / d, 3L * d, r -> {
            int o = r * d;
            float ss = VectorKernels.dot(xs, o, xs, o, d);
            float inv = (float) (1.0 / Math.sqrt(ss / d + eps));
            VectorKernels.scaleTimes(xs, o, inv, ws, out, d);
        });
        return JavaTensor.of(out, t(x).shape);
    }

    @Override
    public void rope(Tensor x, int heads, int stride, int offset, Rotary rotary) {
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

    /**
     * Blocked like the matrix product: per head, PANEL queries at a time against all the keys they
     * may see, scores and values through VectorKernels.kernel, and the softmax down the panel's
     * columns (one lane per query), so no step needs a horizontal sum.
     */
    @Override
    public AttentionOutput attention(Tensor q, Tensor k, Tensor v, AttentionSpec s, boolean keepProbabilities) {
        if (!s.pattern().isPlainWindow()) return patternAttention(q, k, v, s, keepProbabilities);
        float[] qs = t(q).data, ks = t(k).data, vs = t(v).data;
        int T = s.tokens(), H = s.heads(), Hkv = s.kvHeads(), dqk = s.qkDim(), dv = s.vDim();
        int P = VectorKernels.PANEL, R = VectorKernels.TILE;
        // Per key/value head: keys as rows [T + R, dqk] and values transposed [dv rounded up to R, T],
        // zero padded so that the kernel's last tile of R rows never runs off the end.
        int vRows = (dv + R - 1) / R * R;
        float[][] keys = new float[Hkv][], valuesT = new float[Hkv][];
        parallelFor(Hkv, (long) T * (dqk + dv), kh -> {
            float[] kp = new float[(T + R) * dqk], vt = new float[vRows * T];
            for (int j = 0; j < T; j++) {
                System.arraycopy(ks, (j * Hkv + kh) * dqk, kp, j * dqk, dqk);
                int vo = (j * Hkv + kh) * dv;
                for (int d = 0; d < dv; d++) vt[d * T + j] = vs[vo + d];
            }
            keys[kh] = kp;
            valuesT[kh] = vt;
        });
        float[] out = new float[T * H * dv];
        float[] probs = keepProbabilities ? new float[H * T * T] : null;
        int blocks = (T + P - 1) / P;
        // Later query blocks see more keys: hand them out first so that the threads finish together.
        parallelFor(H * blocks, (long) P * T * (dqk + dv) / 2, task -> {
            int h = task % H, i0 = (blocks - 1 - task / H) * P;
            int kh = h / (H / Hkv);
            attentionBlock(qs, keys[kh], valuesT[kh], s, h, i0, out, probs);
        });
        return new AttentionOutput(JavaTensor.of(out, T, H * dv), probs == null ? null : JavaTensor.of(probs, H, T, T));
    }

    /**
     * Any {@link io.moescope.backend.AttentionPattern}, one (head, query) row at a time: the scores
     * of the visible keys, then, for keep-top-k, only those at or above the row's k-th highest
     * score (ties kept), softmax over what is left. Slower than the blocked path, which plain
     * windows keep.
     */
    private AttentionOutput patternAttention(Tensor q, Tensor k, Tensor v, AttentionSpec s, boolean keepProbabilities) {
        float[] qs = t(q).data, ks = t(k).data, vs = t(v).data;
        int T = s.tokens(), H = s.heads(), Hkv = s.kvHeads(), dqk = s.qkDim(), dv = s.vDim(), group = H / Hkv;
        int keep = s.pattern().keepTopK();
        float[] out = new float[T * H * dv];
        float[] probs = keepProbabilities ? new float[H * T * T] : null;
        parallelFor(H * T, (long) T * (dqk + dv), hi -> {
            int h = hi / T, i = hi % T, kh = h / group;
            int qo = (i * H + h) * dqk;
            float[] score = new float[i + 1];
            int visible = 0;
            float max = Float.NEGATIVE_INFINITY;
            for (int j = 0; j <= i; j++) {
                if (!s.visible(i, j)) {
                    score[j] = Float.NEGATIVE_INFINITY;
                    continue;
                }
                score[j] = VectorKernels.dot(qs, qo, ks, (j * Hkv + kh) * dqk, dqk) * s.scale();
                max = Math.max(max, score[j]);
                visible++;
            }
            if (keep > 0 && visible > keep) {
                float[] sorted = score.clone();
                java.util.Arrays.sort(sorted);
                float threshold = sorted[sorted.length - keep];
                for (int j = 0; j <= i; j++) if (score[j] < threshold) score[j] = Float.NEGATIVE_INFINITY;
            }
            double sum = 0;
            float[] p = new float[i + 1];
            for (int j = 0; j <= i; j++) {
                p[j] = score[j] == Float.NEGATIVE_INFINITY ? 0f : (float) Math.exp(score[j] - max);
                sum += p[j];
            }
            float inv = (float) (1.0 / sum);
            int oo = (i * H + h) * dv;
            for (int j = 0; j <= i; j++) {
                if (p[j] == 0f) continue;
                p[j] *= inv;
                VectorKernels.axpy(p[j], vs, (j * Hkv + kh) * dv, out, oo, dv);
            }
            if (probs != null) System.arraycopy(p, 0, probs, (h * T + i) * T, i + 1);
        });
        return new AttentionOutput(JavaTensor.of(out, T, H * dv), probs == null ? null : JavaTensor.of(probs, H, T, T));
    }

    /** Queries [i0, i0 + PANEL) of head h: their context rows of out, and their probabilities when kept. */
    private static void attentionBlock(float[] qs, float[] kp, float[] vt, AttentionSpec s, int h, int i0, float[] out, float[] probs) {
        int T = s.tokens(), H = s.heads(), dqk = s.qkDim(), dv = s.vDim(), window = s.window();
        int P = VectorKernels.PANEL, R = VectorKernels.TILE;
        int i1 = Math.min(T, i0 + P);
        int jStart = window > 0 ? Math.max(0, i0 - window + 1) : 0, jEnd = i1, n = jEnd - jStart;
        float[] qp = new float[dqk * P];   // this block's queries, transposed and scaled
        for (int c = 0; c < i1 - i0; c++) {
            int qo = ((i0 + c) * H + h) * dqk;
            for (int d = 0; d < dqk; d++) qp[d * P + c] = qs[qo + d] * s.scale();
        }
        // Scores, key-major: pt[(j - jStart) * P + c] for query i0 + c and key j.
        float[] pt = new float[(n + R - 1) / R * R * P];
        for (int j = jStart; j < jEnd; j += R) VectorKernels.kernel(kp, j * dqk, dqk, qp, 0, dqk, pt, (j - jStart) * P);
        for (int j = Math.max(jStart, i0 + 1); j < jEnd; j++) {           // causal: key after query
            for (int c = 0; c < Math.min(P, j - i0); c++) pt[(j - jStart) * P + c] = Float.NEGATIVE_INFINITY;
        }
        if (window > 0) {                                                   // window: key too far back
            for (int j = jStart; j < Math.min(jEnd, i0 + P - window); j++) {
                for (int c = Math.max(0, j - i0 + window); c < P; c++) pt[(j - jStart) * P + c] = Float.NEGATIVE_INFINITY;
            }
        }
        float[] sums = new float[P];
        VectorKernels.expColumns(pt, n, sums);
        float[] acc = new float[R * P];
        for (int d0 = 0; d0 < dv; d0 += R) {
            VectorKernels.kernel(vt, d0 * T + jStart, T, pt, 0, n, acc, 0);
            for (int c = 0; c < i1 - i0; c++) {
                int oo = ((i0 + c) * H + h) * dv + d0;
                float inv = 1f / sums[c];
                for (int r = 0; r < Math.min(R, dv - d0); r++) out[oo + r] = acc[r * P + c] * inv;
            }
        }
        if (probs != null) {
            for (int c = 0; c < i1 - i0; c++) {
                int i = i0 + c, po = (h * T + i) * T;
                float inv = 1f / sums[c];
                for (int j = jStart; j <= i; j++) probs[po + j] = pt[(j - jStart) * P + c] * inv;
            }
        }
    }

    @Override
    public Tensor swiglu(Tensor gate, Tensor up) {
        float[] g = t(gate).data, u = t(up).data;
        float[] out = g.clone();
        VectorKernels.swiglu(out, 0, u, 0, g.length);
        return JavaTensor.of(out, t(gate).shape);
    }

    @Override
    public Tensor add(Tensor a, Tensor b) {
        float[] x = t(a).data, y = t(b).data;
        float[] out = x.clone();
        VectorKernels.axpy(1f, y, 0, out, 0, out.length);
        return JavaTensor.of(out, t(a).shape);
    }

    @Override
    public void addInPlace(Tensor acc, Tensor x) {
        float[] a = writable(acc, "addInPlace"), b = t(x).data;
        VectorKernels.axpy(1f, b, 0, a, 0, a.length);
    }

    @Override
    public void clamp(Tensor x, float limit) {
        float[] a = writable(x, "clamp");
        for (int i = 0; i < a.length; i++) a[i] = Math.max(-limit, Math.min(limit, a[i]));
    }

    @Override
    public void scaleRowsBySigmoid(Tensor x, Tensor gate) {
        JavaTensor xt = t(x);
        float[] a = writable(x, "scaleRowsBySigmoid"), g = t(gate).data;
        int D = xt.cols();
        for (int r = 0; r < g.length; r++) {
            float s = 1f / (1f + (float) Math.exp(-g[r]));
            for (int d = 0; d < D; d++) a[r * D + d] *= s;
        }
    }

    @Override
    public void copyColumns(Tensor src, int srcCol, int srcRowDivisor, Tensor dst, int dstCol, int rows, int width) {
        JavaTensor st = t(src), dt = t(dst);
        float[] d = writable(dst, "copyColumns");
        int sw = st.cols(), dw = dt.cols();
        for (int r = 0; r < rows; r++) {
            System.arraycopy(st.data, (r / srcRowDivisor) * sw + srcCol, d, r * dw + dstCol, width);
        }
    }

    @Override
    public Routing route(Tensor logits, RouterSpec spec, Tensor correctionBias) {
        float[] l = t(logits).data;
        float[] bias = correctionBias == null ? null : t(correctionBias).floats();
        int E = spec.experts(), k = spec.k(), T = l.length / E;
        int[] idx = new int[T * k];
        float[] w = new float[T * k];
        for (int tok = 0; tok < T; tok++) RoutingRule.select(spec, l, tok * E, bias, idx, w, tok * k);
        return new Routing(spec, JavaTensor.ofInts(idx, T, k), JavaTensor.of(w, T, k));
    }

    /**
     * All experts in two parallel phases over shared buffers, each split into tasks of (expert, run
     * of weight panels) so that the threads stay busy however unevenly tokens are routed: first
     * gate and up with SwiGLU, reading each expert's tokens in place from x, then down. Outputs are
     * mixed in last, per token in expert order (the order in which the experts' sums were added
     * when each expert was a task of its own).
     */
    @Override
    public Tensor experts(Tensor x, Routing routing, ExpertWeights weights) {
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
        int[] fill = java.util.Arrays.copyOf(start, E);
        for (int s = 0; s < S; s++) {
            int r = fill[idx[s]]++;
            rowOf[s] = r;
            xRows[r] = (s / k) * D;
        }
        WeightPanels[] gate = new WeightPanels[E], up = new WeightPanels[E], down = new WeightPanels[E];
        int I = t(weights.gate().get(0)).shape[0];
        parallelFor(E, 3L * I * D, e -> {   // packs them on first use, in parallel
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
        int[] hRows = rowOffsets(S, I);
        forExpertPanels(start, (D + W - 1) / W, perRow / 2, (e, p0, p1) ->
                down[e].multiply(h, hRows, start[e], start[e + 1], p0, p1, y, 0, D, null));
        float[] out = new float[T * D];
        parallelFor(T, 2L * k * D, tok -> {
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
        int run = Math.max(1, (int) Math.ceil((double) used * panels / (16 * threads)));
        int runs = (panels + run - 1) / run;
        int[] tasks = new int[used * runs];
        int n = 0;
        for (int e = 0; e < E; e++) {
            if (start[e + 1] == start[e]) continue;
            for (int r = 0; r < runs; r++) tasks[n++] = e * runs + r;
        }
        long rows = start[E];
        parallelFor(n, Math.max(1, rows / Math.max(1, used)) * run * workPerRowPanel / panels, i -> {
            int e = tasks[i] / runs, p0 = (tasks[i] % runs) * run;
            body.run(e, p0, Math.min(panels, p0 + run));
        });
    }

    @Override
    public Tensor nextTokenLoss(Tensor logits, Tensor ids) {
        float[] l = t(logits).data;
        int[] id = t(ids).ints;
        int T = id.length, V = l.length / T;
        // Rows in parallel, each summed in vector lanes and then in double; rows added in order.
        double[] perRow = new double[Math.max(0, T - 1)];
        parallelFor(perRow.length, 4L * V, p -> {
            int o = p * V;
            float max = VectorKernels.max(l, o, V);
            perRow[p] = Math.log(VectorKernels.sumExp(l, o, V, max)) + max - l[o + id[p + 1]];
        });
        double total = 0;
        for (double r : perRow) total += r;
        return JavaTensor.of(new float[]{T < 2 ? Float.NaN : (float) (total / (T - 1))}, 1);
    }

    // ---- backward ----------------------------------------------------------------------------
    // Each method is the adjoint of the forward operation of the same name (see Backend). Sums that
    // decide a whole row (softmax normalisers, RMS statistics) are taken in double, as forward does.

    @Override
    public void embeddingBackward(Tensor dOut, Tensor ids, Tensor dTable) {
        if (dTable == null) return;
        float[] g = t(dOut).data, table = writable(dTable, "embeddingBackward");
        int[] id = t(ids).ints;
        int D = t(dTable).cols();
        // Sequential on purpose: repeated ids add into the same row.
        for (int i = 0; i < id.length; i++) VectorKernels.axpy(1f, g, i * D, table, id[i] * D, D);
    }

    @Override
    public Tensor linearBackward(Tensor dy, Tensor x, Tensor w, Tensor dW, Tensor dBias) {
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
        parallelFor(rowBlocks, 4L * N * K, blk -> {
            int r1 = Math.min(T, blk * 4 + 4);
            for (int j = 0; j < N; j++) {
                for (int r = blk * 4; r < r1; r++) axpy(g[r * N + j], ws, (long) j * K * 4, dx, r * K, K);
            }
        });
        if (dW != null) {
            float[] dw = writable(dW, "linearBackward dW");
            // dW += dy^T x: each task owns rows of dW, so no two tasks write the same value.
            parallelFor(N, (long) T * K, j -> {
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

    @Override
    public Tensor rmsNormBackward(Tensor dy, Tensor x, Tensor w, float eps, Tensor dW) {
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

    @Override
    public void ropeBackward(Tensor dx, int heads, int stride, int offset, Rotary rotary) {
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

    @Override
    public AttentionGradients attentionBackward(Tensor dContext, Tensor q, Tensor k, Tensor v, Tensor probabilities,
                                                AttentionSpec s) {
        if (probabilities == null) probabilities = attention(q, k, v, s, true).probabilities();
        float[] dO = t(dContext).data, qs = t(q).data, ks = t(k).data, vs = t(v).data, P = t(probabilities).data;
        int T = s.tokens(), H = s.heads(), Hkv = s.kvHeads(), dqk = s.qkDim(), dv = s.vDim(), group = H / Hkv;
        // Masked probabilities are zero, so any pattern's gradient follows from P; only the rows'
        // and columns' ranges use the window, which global tokens reach beyond.
        int window = s.pattern().global() == null ? s.window() : 0;
        float scale = s.scale();
        // Pass 1, per (head, query): dS = P * (dP - rowsum(P dP)) with dP = dO v^T, and dq = scale dS k.
        float[] dS = new float[H * T * T];
        float[] dq = new float[T * H * dqk];
        parallelFor(H * T, (long) T * (dqk + dv), hi -> {
            int h = hi / T, i = hi % T, kh = h / group;
            int first = window > 0 ? Math.max(0, i - window + 1) : 0;
            int row = (h * T + i) * T, oo = (i * H + h) * dv, qo = (i * H + h) * dqk;
            float[] dP = new float[i + 1];
            double pdp = 0;
            for (int j = first; j <= i; j++) {
                dP[j] = VectorKernels.dot(dO, oo, vs, (j * Hkv + kh) * dv, dv);
                pdp += (double) P[row + j] * dP[j];
            }
            for (int j = first; j <= i; j++) {
                float ds = P[row + j] * (dP[j] - (float) pdp);
                dS[row + j] = ds;
                VectorKernels.axpy(ds * scale, ks, (j * Hkv + kh) * dqk, dq, qo, dqk);
            }
        });
        // Pass 2, per (kv head, key): sums over the queries and the query heads sharing this key,
        // so that no two tasks write the same dk or dv row.
        float[] dk = new float[T * Hkv * dqk], dvs = new float[T * Hkv * dv];
        parallelFor(Hkv * T, (long) group * T * (dqk + dv) / 2, idx -> {
            int kh = idx / T, j = idx % T;
            int last = window > 0 ? Math.min(T - 1, j + window - 1) : T - 1;
            int ko = (j * Hkv + kh) * dqk, vo = (j * Hkv + kh) * dv;
            for (int h = kh * group; h < (kh + 1) * group; h++) {
                for (int i = j; i <= last; i++) {
                    int at = (h * T + i) * T + j;
                    VectorKernels.axpy(dS[at] * scale, qs, (i * H + h) * dqk, dk, ko, dqk);
                    VectorKernels.axpy(P[at], dO, (i * H + h) * dv, dvs, vo, dv);
                }
            }
        });
        return new AttentionGradients(JavaTensor.of(dq, t(q).shape), JavaTensor.of(dk, t(k).shape),
                JavaTensor.of(dvs, t(v).shape));
    }

    @Override
    public Tensor[] swigluBackward(Tensor dOut, Tensor gate, Tensor up) {
        float[] g = t(dOut).data, a = t(gate).data, u = t(up).data;
        float[] dGate = new float[a.length], dUp = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            float sig = 1f / (1f + (float) Math.exp(-a[i]));
            // d silu(a)/da = sig (1 + a (1 - sig))
            dGate[i] = g[i] * u[i] * sig * (1f + a[i] * (1f - sig));
            dUp[i] = g[i] * a[i] * sig;
        }
        int[] shape = t(gate).shape;
        return new Tensor[]{JavaTensor.of(dGate, shape), JavaTensor.of(dUp, shape)};
    }

    @Override
    public void clampBackward(Tensor dx, Tensor x, float limit) {
        float[] g = writable(dx, "clampBackward"), xs = t(x).data;
        for (int i = 0; i < g.length; i++) if (xs[i] >= limit || xs[i] <= -limit) g[i] = 0f;
    }

    @Override
    public Tensor[] scaleRowsBySigmoidBackward(Tensor dOut, Tensor x, Tensor gate) {
        JavaTensor xt = t(x);
        float[] g = t(dOut).data, xs = xt.data, gs = t(gate).data;
        int D = xt.cols();
        float[] dx = new float[xs.length], dGate = new float[gs.length];
        for (int r = 0; r < gs.length; r++) {
            float sig = 1f / (1f + (float) Math.exp(-gs[r]));
            for (int d = 0; d < D; d++) dx[r * D + d] = g[r * D + d] * sig;
            dGate[r] = VectorKernels.dot(g, r * D, xs, r * D, D) * sig * (1f - sig);
        }
        return new Tensor[]{JavaTensor.of(dx, xt.shape), JavaTensor.of(dGate, t(gate).shape)};
    }

    @Override
    public void copyColumnsBackward(Tensor dDst, int dstCol, Tensor dSrc, int srcCol, int srcRowDivisor, int rows, int width) {
        JavaTensor dt = t(dDst), st = t(dSrc);
        float[] src = writable(dSrc, "copyColumnsBackward");
        int sw = st.cols(), dw = dt.cols();
        for (int r = 0; r < rows; r++) {
            VectorKernels.axpy(1f, dt.data, r * dw + dstCol, src, (r / srcRowDivisor) * sw + srcCol, width);
        }
    }

    @Override
    public Tensor routeBackward(Tensor dWeight, Tensor logits, Routing routing, Tensor correctionBias) {
        // The correction bias only steers the choice, which passes no gradient: it is not needed here.
        RouterSpec spec = routing.spec();
        float[] l = t(logits).data, dw = t(dWeight).data;
        int[] idx = t(routing.index()).ints;
        int E = spec.experts(), k = spec.k(), T = l.length / E;
        boolean sigmoid = spec.rule() == RouterSpec.Rule.SIGMOID_GROUP_TOP2;
        float[] out = new float[T * E];
        float[] scores = new float[E];
        double[] dScore = new double[E];
        for (int tok = 0; tok < T; tok++) {
            int lo = tok * E, ko = tok * k;
            if (sigmoid) {
                for (int e = 0; e < E; e++) scores[e] = 1f / (1f + (float) Math.exp(-l[lo + e]));
            } else {
                RoutingRule.softmax(l, lo, E, scores);
            }
            // weight_j = scaling * score(c_j) [/ sum_m score(c_m)]: gradient on the chosen scores.
            java.util.Arrays.fill(dScore, 0);
            if (spec.renormalize()) {
                double sum = 0, dot = 0;
                for (int j = 0; j < k; j++) {
                    sum += scores[idx[ko + j]];
                    dot += (double) dw[ko + j] * scores[idx[ko + j]];
                }
                if (sigmoid) sum += 1e-20;
                for (int j = 0; j < k; j++) dScore[idx[ko + j]] += spec.scaling() * (dw[ko + j] / sum - dot / (sum * sum));
            } else {
                for (int j = 0; j < k; j++) dScore[idx[ko + j]] += spec.scaling() * dw[ko + j];
            }
            // ... then through the scores: sigmoid elementwise, softmax over the whole row.
            if (sigmoid) {
                for (int e = 0; e < E; e++) out[lo + e] = (float) (dScore[e] * scores[e] * (1.0 - scores[e]));
            } else {
                double dot = 0;
                for (int e = 0; e < E; e++) dot += dScore[e] * scores[e];
                for (int e = 0; e < E; e++) out[lo + e] = (float) (scores[e] * (dScore[e] - dot));
            }
        }
        return JavaTensor.of(out, T, E);
    }

    @Override
    public Tensor[] expertsBackward(Tensor dOut, Tensor x, Routing routing, ExpertWeights weights, ExpertWeights dWeights) {
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
        parallelFor(E, 3L * D * weights.gate().get(0).dim(0) * Math.max(1, T * k / E), e -> {
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
            for (int j = 0; j < N; j++) axpy(dy[r * N + j], w, (long) j * K * 4, out, r * K, K);
        }
        return out;
    }

    /** acc [N, K] += dy^T x for dy [n, N] and x [n, K]. */
    private static void accumulateOuter(float[] dy, int n, int N, float[] x, int K, float[] acc) {
        for (int j = 0; j < N; j++) {
            for (int r = 0; r < n; r++) VectorKernels.axpy(dy[r * N + j], x, r * K, acc, j * K, K);
        }
    }

    /** y[yo ..] += alpha * (float32 row of w at byte offset wo), over n values. */
    private static void axpy(float alpha, MemorySegment w, long wo, float[] y, int yo, int n) {
        var S = VectorKernels.S;
        int i = 0;
        int bound = S.loopBound(n);
        FloatVector a = FloatVector.broadcast(S, alpha);
        for (; i < bound; i += S.length()) {
            FloatVector.fromMemorySegment(S, w, wo + 4L * i, ByteOrder.LITTLE_ENDIAN)
                    .fma(a, FloatVector.fromArray(S, y, yo + i)).intoArray(y, yo + i);
        }
        for (; i < n; i++) y[yo + i] += alpha * w.getAtIndex(FloatTensor.LAYOUT, (wo >> 2) + i);
    }

    @Override
    public Tensor nextTokenLossBackward(Tensor logits, Tensor ids, float scale) {
        float[] l = t(logits).data;
        int[] id = t(ids).ints;
        int T = id.length, V = l.length / T;
        float[] out = new float[l.length];
        if (T < 2) return JavaTensor.of(out, t(logits).shape);   // no targets: the loss is NaN, its gradient zero
        double per = (double) scale / (T - 1);
        // Row p predicts ids[p + 1]: d loss / d logits = (softmax - one-hot) / (T - 1); the last row predicts nothing.
        parallelFor(T - 1, V, p -> {
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

    @Override
    public Tensor softmaxWeightedSumBackward(Tensor logits, float[] c, float scale) {
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

    // ---- training ----------------------------------------------------------------------------

    /**
     * The heap values of a tensor we are about to change, its cached panels dropped: every change
     * in place goes through here. Mapped checkpoint weights are read-only.
     */
    private static float[] writable(Tensor x, String op) {
        JavaTensor xt = t(x);
        if (xt.data == null) {
            throw new IllegalArgumentException(op + ": tensor " + Tensor.describe(xt.shape)
                    + " is not writable (a mapped checkpoint weight or an int tensor); upload a heap copy to change it");
        }
        xt.changed();
        return xt.data;
    }

    @Override
    public void scale(Tensor x, float s) {
        float[] a = writable(x, "scale");
        for (int i = 0; i < a.length; i++) a[i] *= s;
    }

    @Override
    public void fill(Tensor x, float value) {
        java.util.Arrays.fill(writable(x, "fill"), value);
    }

    @Override
    public double sumOfSquares(Tensor x) {
        JavaTensor xt = t(x);
        double s = 0;
        if (xt.data != null) {
            for (float v : xt.data) s += (double) v * v;
        } else {
            long n = xt.mapped.byteSize() / 4;
            for (long i = 0; i < n; i++) {
                double v = xt.mapped.getAtIndex(FloatTensor.LAYOUT, i);
                s += v * v;
            }
        }
        return s;
    }

    @Override
    public void adamW(Tensor param, Tensor grad, Tensor m, Tensor v, float lr, float beta1, float beta2, float eps,
                      float weightDecay, int step) {
        if (step < 1) throw new IllegalArgumentException("adamW: step counts from 1, got " + step);
        float[] p = writable(param, "adamW"), g = t(grad).data, ms = writable(m, "adamW"), vs = writable(v, "adamW");
        // As torch.optim.AdamW: decay first, then the bias-corrected step lr * m_hat / (sqrt(v_hat) + eps).
        double bc1 = 1 - Math.pow(beta1, step), bc2 = 1 - Math.pow(beta2, step);
        float decay = 1f - lr * weightDecay;
        parallelFor((p.length + 4095) / 4096, 4096, blk -> {
            int end = Math.min(p.length, blk * 4096 + 4096);
            for (int i = blk * 4096; i < end; i++) {
                ms[i] = beta1 * ms[i] + (1 - beta1) * g[i];
                vs[i] = beta2 * vs[i] + (1 - beta2) * g[i] * g[i];
                double denom = Math.sqrt(vs[i] / bc2) + eps;
                p[i] = (float) (p[i] * decay - lr * (ms[i] / bc1) / denom);
            }
        });
    }

    @Override
    public void lion(Tensor param, Tensor grad, Tensor m, float lr, float beta1, float beta2, float weightDecay) {
        float[] p = writable(param, "lion"), g = t(grad).data, ms = writable(m, "lion");
        // As in the Lion paper: the update's sign comes from beta1, the momentum kept uses beta2.
        float decay = 1f - lr * weightDecay;
        parallelFor((p.length + 4095) / 4096, 4096, blk -> {
            int end = Math.min(p.length, blk * 4096 + 4096);
            for (int i = blk * 4096; i < end; i++) {
                float c = beta1 * ms[i] + (1 - beta1) * g[i];
                p[i] = p[i] * decay - lr * Math.signum(c);
                ms[i] = beta2 * ms[i] + (1 - beta2) * g[i];
            }
        });
    }

    @Override
    public void close() {
        pool.shutdown();
    }
}
