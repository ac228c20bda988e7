package io.moescope.backend.java;

import static io.moescope.backend.java.JavaTensor.t;
import static io.moescope.backend.java.JavaTensor.writable;

import io.moescope.backend.AttentionGradients;
import io.moescope.backend.AttentionOutput;
import io.moescope.backend.AttentionSpec;
import io.moescope.backend.Backend;
import io.moescope.backend.DeviceInfo;
import io.moescope.backend.ExpertWeights;
import io.moescope.backend.Rotary;
import io.moescope.backend.RouterSpec;
import io.moescope.backend.Routing;
import io.moescope.backend.Tensor;
import io.moescope.checkpoint.StoredWeight;
import io.moescope.tensor.FloatTensor;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * The reference backend: plain Java with the Vector API on all cores (or as many threads as
 * asked). Mapped float32 weights are read in place; activations live on the heap. Split as the GPU
 * backends are: {@link Gemm}, {@link NormOps}, {@link AttentionOps}, {@link RoutingOps},
 * {@link ExpertOps} and {@link TrainingOps} hold the larger operations, on the threads of one
 * {@link Scheduler}; the elementwise ones stand here.
 */
public final class JavaBackend implements Backend {
    private final Scheduler scheduler;
    private final Gemm gemm;
    private final NormOps norms;
    private final AttentionOps attention;
    private final RoutingOps routing;
    private final ExpertOps experts;
    private final TrainingOps training;

    public JavaBackend() {
        this(Runtime.getRuntime().availableProcessors());
    }

    public JavaBackend(int threads) {
        this.scheduler = new Scheduler(threads);
        this.gemm = new Gemm(scheduler);
        this.norms = new NormOps(scheduler);
        this.attention = new AttentionOps(scheduler);
        this.routing = new RoutingOps();
        this.experts = new ExpertOps(scheduler);
        this.training = new TrainingOps(scheduler);
    }

    @Override
    public String name() {
        return "java";
    }

    @Override
    public DeviceInfo device() {
        return new DeviceInfo("java", CpuModel.name(), Runtime.getRuntime().maxMemory(),
                scheduler.threads(), "Vector API, " + VectorKernels.S.length() + " float lanes");
    }

    // ---- moving data -------------------------------------------------------------------------

    @Override
    public Tensor upload(FloatTensor weight) {
        return JavaTensor.mapped(weight);
    }

    /**
     * The most bytes of float32 weight panels this backend keeps between calls: what weights cost
     * the heap beyond their memory-mapped (file-backed) checkpoint.
     */
    public static long panelBytesLimit() {
        return PanelBudget.limit();
    }

    /** In the stored format: widened where read (panels, embedding rows), so a bf16 model holds no float32 copy. */
    @Override
    public Tensor upload(StoredWeight weight) {
        return JavaTensor.stored(weight);
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
        for (int i = 0; i < id.length; i++) tab.copy((long) id[i] * D, out, i * D, D);
        return JavaTensor.of(out, id.length, D);
    }

    @Override
    public Tensor linear(Tensor x, Tensor w, Tensor bias) {
        return gemm.linear(x, w, bias);
    }

    @Override
    public Tensor rmsNorm(Tensor x, Tensor w, float eps) {
        return norms.rmsNorm(x, w, eps);
    }

    @Override
    public void rope(Tensor x, int heads, int stride, int offset, Rotary rotary) {
        norms.rope(x, heads, stride, offset, rotary);
    }

    @Override
    public AttentionOutput attention(Tensor q, Tensor k, Tensor v, AttentionSpec spec, boolean keepProbabilities) {
        return attention.attention(q, k, v, spec, keepProbabilities);
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
        return routing.route(logits, spec, correctionBias);
    }

    @Override
    public Tensor experts(Tensor x, Routing routing, ExpertWeights weights) {
        return experts.experts(x, routing, weights);
    }

    @Override
    public Tensor nextTokenLoss(Tensor logits, Tensor ids) {
        return training.nextTokenLoss(logits, ids);
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
        return gemm.linearBackward(dy, x, w, dW, dBias);
    }

    @Override
    public Tensor rmsNormBackward(Tensor dy, Tensor x, Tensor w, float eps, Tensor dW) {
        return norms.rmsNormBackward(dy, x, w, eps, dW);
    }

    @Override
    public void ropeBackward(Tensor dx, int heads, int stride, int offset, Rotary rotary) {
        norms.ropeBackward(dx, heads, stride, offset, rotary);
    }

    @Override
    public AttentionGradients attentionBackward(Tensor dContext, Tensor q, Tensor k, Tensor v, Tensor probabilities, AttentionSpec spec) {
        return attention.attentionBackward(dContext, q, k, v, probabilities, spec);
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

    /** The correction bias only steers the choice, which passes no gradient: it is not needed here. */
    @Override
    public Tensor routeBackward(Tensor dWeight, Tensor logits, Routing routing, Tensor correctionBias) {
        return this.routing.routeBackward(dWeight, logits, routing);
    }

    @Override
    public Tensor[] expertsBackward(Tensor dOut, Tensor x, Routing routing, ExpertWeights weights, ExpertWeights dWeights) {
        return experts.expertsBackward(dOut, x, routing, weights, dWeights);
    }

    @Override
    public Tensor nextTokenLossBackward(Tensor logits, Tensor ids, float scale) {
        return training.nextTokenLossBackward(logits, ids, scale);
    }

    @Override
    public Tensor softmaxWeightedSumBackward(Tensor logits, float[] c, float scale) {
        return training.softmaxWeightedSumBackward(logits, c, scale);
    }

    // ---- training ----------------------------------------------------------------------------

    @Override
    public void scale(Tensor x, float s) {
        float[] a = writable(x, "scale");
        for (int i = 0; i < a.length; i++) a[i] *= s;
    }

    @Override
    public void fill(Tensor x, float value) {
        Arrays.fill(writable(x, "fill"), value);
    }

    @Override
    public double sumOfSquares(Tensor x) {
        return training.sumOfSquares(x);
    }

    @Override
    public void adamW(Tensor param, Tensor grad, Tensor m, Tensor v, float lr, float beta1, float beta2, float eps,
                      float weightDecay, int step) {
        training.adamW(param, grad, m, v, lr, beta1, beta2, eps, weightDecay, step);
    }

    @Override
    public void lion(Tensor param, Tensor grad, Tensor m, float lr, float beta1, float beta2, float weightDecay) {
        training.lion(param, grad, m, lr, beta1, beta2, weightDecay);
    }

    @Override
    public void close() {
        scheduler.close();
    }
}
