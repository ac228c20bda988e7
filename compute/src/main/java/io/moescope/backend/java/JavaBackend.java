package io.moescope.backend.java;

import io.moescope.backend.AttentionOutput;
import io.moescope.backend.AttentionSpec;
import io.moescope.backend.Backend;
import io.moescope.backend.DeviceInfo;
import io.moescope.backend.ExpertWeights;
import io.moescope.backend.Rotary;
import io.moescope.backend.RouterSpec;
import io.moescope.backend.Routing;
import io.moescope.backend.RoutingRule;
import io.moescope.backend.Tensor;
import io.moescope.tensor.FloatTensor;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ForkJoinPool;
import java.util.function.IntConsumer;
import java.util.stream.IntStream;

/**
 * The reference backend: plain Java with the Vector API on all cores (or as many threads as
 * asked). Mapped float32 weights are read in place; activations live on the heap.
 */
public final class JavaBackend implements Backend {
    private final ForkJoinPool pool;
    private final int threads;

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
        return new DeviceInfo("java", "CPU (" + System.getProperty("os.arch") + ")", Runtime.getRuntime().maxMemory(),
                threads, "Vector API, " + VectorKernels.S.length() + " float lanes");
    }

    /** Runs body(i) for i in [0, n), spread over the pool when there is enough work. */
    private void parallelFor(int n, long workPerItem, IntConsumer body) {
        if (threads == 1 || n < 2 || n * workPerItem < 32_768) {
            for (int i = 0; i < n; i++) body.accept(i);
        } else {
            pool.submit(() -> IntStream.range(0, n).parallel().forEach(body)).join();
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
        JavaTensor xt = t(x);
        return xt.ints != null ? JavaTensor.ofInts(xt.ints, shape)
                : xt.data != null ? JavaTensor.of(xt.data, shape) : JavaTensor.mapped(new FloatTensor(xt.mapped, longs(shape)));
    }

    private static long[] longs(int[] shape) {
        long[] s = new long[shape.length];
        for (int i = 0; i < s.length; i++) s[i] = shape[i];
        return s;
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
        float[] xs = xt.data;
        float[] b = bias == null ? null : t(bias).floats();
        float[] out = new float[T * N];
        MemorySegment ws = wt.segment();
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
        int[] shape = xt.shape.clone();
        shape[shape.length - 1] = N;
        return JavaTensor.of(out, shape);
    }

    @Override
    public Tensor rmsNorm(Tensor x, Tensor w, float eps) {
        float[] xs = t(x).data, ws = t(w).floats();
        int d = ws.length;
        float[] out = new float[xs.length];
        for (int r = 0; r < xs.length / d; r++) {
            int o = r * d;
            float ss = VectorKernels.dot(xs, o, xs, o, d);
            float inv = (float) (1.0 / Math.sqrt(ss / d + eps));
            for (int i = 0; i < d; i++) out[o + i] = ws[i] * (xs[o + i] * inv);
        }
        return JavaTensor.of(out, t(x).shape);
    }

    @Override
    public void rope(Tensor x, int heads, int stride, int offset, Rotary rotary) {
        float[] xs = t(x).data;
        int dim = rotary.dim(), half = dim / 2;
        int T = xs.length / (heads * stride);
        float[] inv = rotary.invFreq();
        float f = rotary.attentionFactor();
        float[] tmp = new float[dim];
        for (int p = 0; p < T; p++) {
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
                    float angle = (float) p * inv[i];
                    float cos = (float) Math.cos(angle) * f, sin = (float) Math.sin(angle) * f;
                    float a = tmp[i], b = tmp[half + i];
                    xs[base + i] = a * cos - b * sin;
                    xs[base + half + i] = b * cos + a * sin;
                }
            }
        }
    }

    @Override
    public AttentionOutput attention(Tensor q, Tensor k, Tensor v, AttentionSpec s, boolean keepProbabilities) {
        float[] qs = t(q).data, ks = t(k).data, vs = t(v).data;
        int T = s.tokens(), H = s.heads(), Hkv = s.kvHeads(), dqk = s.qkDim(), dv = s.vDim();
        int group = H / Hkv;
        float[] out = new float[T * H * dv];
        float[] probs = keepProbabilities ? new float[H * T * T] : null;
        parallelFor(H * T, (long) T * (dqk + dv) / 2, hi -> {
            int h = hi / T, i = hi % T, kh = h / group;
            float[] row = new float[i + 1];
            int first = s.window() > 0 ? Math.max(0, i - s.window() + 1) : 0;
            int qo = (i * H + h) * dqk;
            float max = Float.NEGATIVE_INFINITY;
            for (int j = first; j <= i; j++) {
                row[j] = VectorKernels.dot(qs, qo, ks, (j * Hkv + kh) * dqk, dqk) * s.scale();
                max = Math.max(max, row[j]);
            }
            double sum = 0;
            for (int j = first; j <= i; j++) sum += Math.exp(row[j] - max);
            int oo = (i * H + h) * dv;
            for (int j = first; j <= i; j++) {
                float p = (float) (Math.exp(row[j] - max) / sum);
                if (probs != null) probs[(h * T + i) * T + j] = p;
                VectorKernels.axpy(p, vs, (j * Hkv + kh) * dv, out, oo, dv);
            }
        });
        return new AttentionOutput(JavaTensor.of(out, T, H * dv), probs == null ? null : JavaTensor.of(probs, H, T, T));
    }

    @Override
    public Tensor swiglu(Tensor gate, Tensor up) {
        float[] g = t(gate).data, u = t(up).data;
        float[] out = new float[g.length];
        for (int i = 0; i < g.length; i++) out[i] = g[i] / (1f + (float) Math.exp(-g[i])) * u[i];
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
        float[] a = t(acc).data, b = t(x).data;
        VectorKernels.axpy(1f, b, 0, a, 0, a.length);
    }

    @Override
    public void clamp(Tensor x, float limit) {
        float[] a = t(x).data;
        for (int i = 0; i < a.length; i++) a[i] = Math.max(-limit, Math.min(limit, a[i]));
    }

    @Override
    public void scaleRowsBySigmoid(Tensor x, Tensor gate) {
        JavaTensor xt = t(x);
        float[] a = xt.data, g = t(gate).data;
        int D = xt.cols();
        for (int r = 0; r < g.length; r++) {
            float s = 1f / (1f + (float) Math.exp(-g[r]));
            for (int d = 0; d < D; d++) a[r * D + d] *= s;
        }
    }

    @Override
    public void copyColumns(Tensor src, int srcCol, int srcRowDivisor, Tensor dst, int dstCol, int rows, int width) {
        JavaTensor st = t(src), dt = t(dst);
        int sw = st.cols(), dw = dt.cols();
        for (int r = 0; r < rows; r++) {
            System.arraycopy(st.data, (r / srcRowDivisor) * sw + srcCol, dt.data, r * dw + dstCol, width);
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

    @Override
    public Tensor experts(Tensor x, Routing routing, ExpertWeights weights) {
        JavaTensor xt = t(x);
        int T = xt.rows(), D = xt.cols(), k = routing.spec().k();
        int[] idx = t(routing.index()).ints;
        float[] w = t(routing.weight()).data;
        float[] out = new float[T * D];
        for (int e = 0; e < weights.count(); e++) {
            List<Integer> slots = new ArrayList<>();   // token * k + slot, in token order
            for (int s = 0; s < T * k; s++) if (idx[s] == e) slots.add(s);
            if (slots.isEmpty()) continue;
            int n = slots.size();
            float[] gathered = new float[n * D];
            for (int r = 0; r < n; r++) System.arraycopy(xt.data, (slots.get(r) / k) * D, gathered, r * D, D);
            Tensor in = JavaTensor.of(gathered, n, D);
            Tensor h = swiglu(linear(in, weights.gate().get(e), null), linear(in, weights.up().get(e), null));
            float[] y = t(linear(h, weights.down().get(e), null)).data;
            for (int r = 0; r < n; r++) {
                int s = slots.get(r);
                VectorKernels.axpy(w[s], y, r * D, out, (s / k) * D, D);
            }
        }
        return JavaTensor.of(out, T, D);
    }

    @Override
    public Tensor nextTokenLoss(Tensor logits, Tensor ids) {
        float[] l = t(logits).data;
        int[] id = t(ids).ints;
        int T = id.length, V = l.length / T;
        double total = 0;
        for (int p = 0; p < T - 1; p++) {
            int o = p * V;
            double max = Double.NEGATIVE_INFINITY;
            for (int v = 0; v < V; v++) max = Math.max(max, l[o + v]);
            double sum = 0;
            for (int v = 0; v < V; v++) sum += Math.exp(l[o + v] - max);
            total += Math.log(sum) + max - l[o + id[p + 1]];
        }
        return JavaTensor.of(new float[]{T < 2 ? Float.NaN : (float) (total / (T - 1))}, 1);
    }

    @Override
    public void close() {
        pool.shutdown();
    }
}
