package io.moescope.backend.opencl;

import io.moescope.backend.AttentionGradients;
import io.moescope.backend.AttentionOutput;
import io.moescope.backend.AttentionSpec;
import io.moescope.backend.Backend;
import io.moescope.backend.BackendUnavailableException;
import io.moescope.backend.DeviceInfo;
import io.moescope.backend.DeviceMemoryUse;
import io.moescope.backend.ExpertWeights;
import io.moescope.backend.Rotary;
import io.moescope.backend.RouterSpec;
import io.moescope.backend.Routing;
import io.moescope.backend.Tensor;
import io.moescope.backend.profile.DeviceTimer;
import io.moescope.tensor.FloatTensor;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jocl.CLException;

/**
 * The models' operations as OpenCL kernels (OpenCL C 1.2, float32) on one device. Tensors live
 * in device buffers; operations only enqueue work on one in-order queue, so a forward pass runs
 * without the host waiting until something is downloaded.
 */
public final class OpenClBackend implements Backend, DeviceTimer {
    private final ClContext cl;
    private final Gemm gemm;
    private final ExpertOps experts;
    private final AttentionOps attention;
    private final RotaryTables rotaryTables;
    private final RoutingOps routing;
    private final LossOps losses;
    private final OptimizerOps optimizer;

    /** On a context built here; tests build contexts with chosen GEMM tiles. */
    OpenClBackend(ClContext cl) {
        this.cl = cl;
        this.gemm = new Gemm(cl);
        this.experts = new ExpertOps(cl, gemm);
        this.attention = new AttentionOps(cl);
        this.rotaryTables = new RotaryTables(cl);
        this.routing = new RoutingOps(cl);
        this.losses = new LossOps(cl);
        this.optimizer = new OptimizerOps(cl);
    }

    /** Opens the first GPU, or else the first device of any kind (such as PoCL on the CPU). */
    public static OpenClBackend open() {
        List<ClDevices.Found> all = found();
        return open(all.stream().filter(ClDevices.Found::gpu).findFirst().orElse(all.getFirst()));
    }

    /** Opens the device at this index of {@link #devices()}. */
    public static OpenClBackend open(int deviceIndex) {
        List<ClDevices.Found> all = found();
        if (deviceIndex < 0 || deviceIndex >= all.size()) {
            throw new BackendUnavailableException("no OpenCL device " + deviceIndex + ": there " + (all.size() == 1 ? "is 1" : "are " + all.size())
                    + " (0.." + (all.size() - 1) + "): " + all.stream().map(f -> f.info().name()).toList());
        }
        return open(all.get(deviceIndex));
    }

    /** Every OpenCL device installed, in the order {@link #open(int)} numbers them; empty if there is none. */
    public static List<DeviceInfo> devices() {
        return ClDevices.all().stream().map(ClDevices.Found::info).toList();
    }

    /** The device context, for tests of this package that check which kernels it runs. */
    ClContext context() {
        return cl;
    }

    private static List<ClDevices.Found> found() {
        List<ClDevices.Found> all = ClDevices.all();
        if (all.isEmpty()) throw new BackendUnavailableException("no OpenCL platform or device found: " + ClDevices.INSTALL_HINT);
        return all;
    }

    private static OpenClBackend open(ClDevices.Found f) {
        try {
            return new OpenClBackend(new ClContext(f));
        } catch (CLException | IllegalStateException e) {
            // IllegalStateException: the kernels did not build for this device; the message has the build log.
            throw new BackendUnavailableException("OpenCL device " + f.info().name() + " could not be opened: " + e.getMessage(), e);
        }
    }

    private static OpenClTensor cl(Tensor t) {
        return OpenClTensor.of(t);
    }

    private static OpenClTensor clOrNull(Tensor t) {
        return t == null ? null : cl(t);
    }

    private static void sameSize(String op, Tensor a, Tensor b) {
        if (a.size() != b.size()) {
            throw new IllegalArgumentException(op + ": shapes " + Tensor.describe(a.shape()) + " and " + Tensor.describe(b.shape()) + " differ in size");
        }
    }

    @Override
    public String name() {
        return "opencl";
    }

    @Override
    public DeviceInfo device() {
        return cl.info;
    }

    // ---- moving data -------------------------------------------------------------------------

    @Override
    public Tensor upload(FloatTensor weight) {
        int[] shape = new int[weight.rank()];
        for (int i = 0; i < shape.length; i++) shape[i] = weight.dim(i);
        OpenClTensor t = cl.floats(shape);
        if (weight.segment().isNative()) cl.write(t.mem(), weight.segment());
        else cl.write(t.mem(), weight.toArray());
        return t;
    }

    @Override
    public Tensor upload(float[] values, int... shape) {
        OpenClTensor t = holding(cl.floats(shape), values.length);
        cl.write(t.mem(), values);
        return t;
    }

    @Override
    public Tensor uploadInts(int[] values, int... shape) {
        OpenClTensor t = holding(cl.ints(shape), values.length);
        cl.write(t.mem(), values);
        return t;
    }

    /** t, when it has room for exactly n values; closed and refused otherwise. */
    private static OpenClTensor holding(OpenClTensor t, int n) {
        if (t.size() == n) return t;
        t.close();
        throw new IllegalArgumentException(n + " values for shape " + Tensor.describe(t.shape()));
    }

    @Override
    public Tensor zeros(int... shape) {
        OpenClTensor t = cl.floats(shape);
        cl.fill(t.mem(), 0f, t.size());
        return t;
    }

    @Override
    public float[] download(Tensor t) {
        OpenClTensor x = cl(t);
        if (x.isInt()) throw new IllegalArgumentException("download of an int tensor: use downloadInts");
        float[] out = new float[x.count()];
        cl.read(x.mem(), out);
        return out;
    }

    @Override
    public int[] downloadInts(Tensor t) {
        OpenClTensor x = cl(t);
        if (!x.isInt()) throw new IllegalArgumentException("downloadInts of a float tensor: use download");
        int[] out = new int[x.count()];
        cl.read(x.mem(), out);
        return out;
    }

    @Override
    public Tensor reshape(Tensor t, int... shape) {
        return cl(t).view(shape);
    }

    // ---- forward -----------------------------------------------------------------------------

    @Override
    public Tensor embedding(Tensor table, Tensor ids) {
        int T = (int) ids.size(), D = table.dim(1);
        OpenClTensor out = cl.floats(T, D);
        cl.perItem("embedding", (long) T * D, cl(table), cl(ids), out, T, D);
        return out;
    }

    @Override
    public Tensor linear(Tensor x, Tensor w, Tensor bias) {
        int N = w.dim(0), K = w.dim(1), T = x.rows();
        if (x.cols() != K) throw new IllegalArgumentException("linear: input width " + x.cols() + " != weight width " + K);
        int[] shape = x.shape();
        shape[shape.length - 1] = N;
        OpenClTensor out = cl.floats(shape);
        gemm.linear(cl(x), cl(w), clOrNull(bias), out, T, N, K);
        return out;
    }

    @Override
    public Tensor rmsNorm(Tensor x, Tensor w, float eps) {
        int d = (int) w.size();
        OpenClTensor out = cl.floats(x.shape());
        cl.perGroup("rms_norm", x.size() / d, cl(x), cl(w), out, d, eps);
        return out;
    }

    @Override
    public void rope(Tensor x, int heads, int stride, int offset, Rotary rotary) {
        rotate(x, heads, stride, offset, rotary, 1);
    }

    /** Values of a token's heads the rope kernel stages at once: 16 KiB of local memory. */
    private static final int ROPE_STAGED = 4096;

    private void rotate(Tensor x, int heads, int stride, int offset, Rotary rotary, int direction) {
        long tokens = x.size() / stride / heads;
        int half = rotary.invFreq().length, chunk = Math.clamp(ROPE_STAGED / Math.max(1, 2 * half), 1, Math.max(1, heads));
        cl.perGroup("rope", tokens, cl(x), rotaryTables.of(rotary), heads, stride, offset, half, rotary.interleaved(),
                rotary.attentionFactor(), direction, chunk, new Kernels.Local(8L * Math.max(1, half)),
                new Kernels.Local(8L * Math.max(1, half) * chunk));
    }

    @Override
    public AttentionOutput attention(Tensor q, Tensor k, Tensor v, AttentionSpec spec, boolean keepProbabilities) {
        return attention.forward(q, k, v, spec, keepProbabilities);
    }

    @Override
    public Tensor swiglu(Tensor gate, Tensor up) {
        return elementwise("swiglu", gate, up);
    }

    @Override
    public Tensor add(Tensor a, Tensor b) {
        return elementwise("add", a, b);
    }

    /** A new tensor of a's shape, value i from a[i] and b[i] by the kernel of this name (also the operation's). */
    private Tensor elementwise(String kernel, Tensor a, Tensor b) {
        sameSize(kernel, a, b);
        OpenClTensor out = cl.floats(a.shape());
        cl.perItem(kernel, a.size(), cl(a), cl(b), out, cl(a).count());
        return out;
    }

    @Override
    public void addInPlace(Tensor acc, Tensor x) {
        sameSize("addInPlace", acc, x);
        cl.perItem("add_inplace", acc.size(), cl(acc), cl(x), cl(acc).count());
    }

    @Override
    public void clamp(Tensor x, float limit) {
        cl.perItem("clamp_inplace", x.size(), cl(x), limit, cl(x).count());
    }

    @Override
    public void scaleRowsBySigmoid(Tensor x, Tensor gate) {
        cl.perItem("scale_rows_sigmoid", x.size(), cl(x), cl(gate), x.cols(), cl(x).count());
    }

    @Override
    public void copyColumns(Tensor src, int srcCol, int srcRowDivisor, Tensor dst, int dstCol, int rows, int width) {
        cl.perItem("copy_columns", (long) rows * width, cl(src), srcCol, srcRowDivisor, src.cols(), cl(dst), dstCol,
                dst.cols(), rows, width);
    }

    @Override
    public Routing route(Tensor logits, RouterSpec spec, Tensor correctionBias) {
        return routing.route(logits, spec, correctionBias);
    }

    @Override
    public Tensor experts(Tensor x, Routing routing, ExpertWeights weights) {
        return experts.forward(x, routing, weights);
    }

    @Override
    public Tensor nextTokenLoss(Tensor logits, Tensor ids) {
        return losses.nextTokenLoss(logits, ids);
    }

    // ---- backward ----------------------------------------------------------------------------

    @Override
    public void embeddingBackward(Tensor dOut, Tensor ids, Tensor dTable) {
        if (dTable == null) return;
        int T = (int) ids.size(), D = dTable.dim(1);
        cl.perItem("embedding_backward", D, cl(dOut), cl(ids), cl(dTable), T, D);
    }

    @Override
    public Tensor linearBackward(Tensor dy, Tensor x, Tensor w, Tensor dW, Tensor dBias) {
        int N = w.dim(0), K = w.dim(1), T = x.rows();
        OpenClTensor dx = cl.floats(x.shape());
        gemm.inputGrad(cl(dy), cl(w), dx, T, N, K, false);
        if (dW != null) gemm.weightGrad(cl(dy), cl(x), cl(dW), T, N, K);
        if (dBias != null) cl.perItem("column_sums_accumulate", N, cl(dy), cl(dBias), T, N);
        return dx;
    }

    @Override
    public Tensor rmsNormBackward(Tensor dy, Tensor x, Tensor w, float eps, Tensor dW) {
        int d = (int) w.size();
        int groups = Math.toIntExact(x.size() / d);
        OpenClTensor dx = cl.floats(x.shape());
        try (OpenClTensor rInv = cl.floats(groups)) {
            cl.perGroup("rms_norm_backward", groups, cl(dy), cl(x), cl(w), dx, rInv, d, eps);
            if (dW != null) cl.perItem("rms_norm_weight_grad", d, cl(dy), cl(x), rInv, cl(dW), d, groups);
        }
        return dx;
    }

    @Override
    public void ropeBackward(Tensor dx, int heads, int stride, int offset, Rotary rotary) {
        rotate(dx, heads, stride, offset, rotary, -1);
    }

    @Override
    public AttentionGradients attentionBackward(Tensor dContext, Tensor q, Tensor k, Tensor v, Tensor probabilities,
                                                AttentionSpec spec) {
        return attention.backward(dContext, q, k, v, probabilities, spec);
    }

    @Override
    public Tensor[] swigluBackward(Tensor dOut, Tensor gate, Tensor up) {
        OpenClTensor dGate = cl.floats(gate.shape()), dUp = cl.floats(up.shape());
        cl.perItem("swiglu_backward", gate.size(), cl(dOut), cl(gate), cl(up), dGate, dUp, cl(gate).count());
        return new Tensor[]{dGate, dUp};
    }

    @Override
    public void clampBackward(Tensor dx, Tensor x, float limit) {
        cl.perItem("clamp_backward", dx.size(), cl(dx), cl(x), limit, cl(dx).count());
    }

    @Override
    public Tensor[] scaleRowsBySigmoidBackward(Tensor dOut, Tensor x, Tensor gate) {
        OpenClTensor dx = cl.floats(x.shape()), dGate = cl.floats(gate.shape());
        cl.perGroup("scale_rows_sigmoid_backward", x.rows(), cl(dOut), cl(x), cl(gate), dx, dGate, x.cols());
        return new Tensor[]{dx, dGate};
    }

    @Override
    public void copyColumnsBackward(Tensor dDst, int dstCol, Tensor dSrc, int srcCol, int srcRowDivisor, int rows, int width) {
        long srcRows = (rows + srcRowDivisor - 1) / srcRowDivisor;
        cl.perItem("copy_columns_backward", srcRows * width, cl(dDst), dstCol, dDst.cols(), cl(dSrc), srcCol, dSrc.cols(),
                srcRowDivisor, rows, width);
    }

    @Override
    public Tensor routeBackward(Tensor dWeight, Tensor logits, Routing routing, Tensor correctionBias) {
        return this.routing.routeBackward(dWeight, logits, routing);
    }

    @Override
    public Tensor[] expertsBackward(Tensor dOut, Tensor x, Routing routing, ExpertWeights weights, ExpertWeights dWeights) {
        return experts.backward(dOut, x, routing, weights, dWeights);
    }

    @Override
    public Tensor nextTokenLossBackward(Tensor logits, Tensor ids, float scale) {
        return losses.nextTokenLossBackward(logits, ids, scale);
    }

    @Override
    public Tensor softmaxWeightedSumBackward(Tensor logits, float[] c, float scale) {
        return losses.softmaxWeightedSumBackward(logits, c, scale);
    }

    // ---- training ----------------------------------------------------------------------------

    @Override
    public void scale(Tensor x, float s) {
        optimizer.scale(x, s);
    }

    @Override
    public void fill(Tensor x, float value) {
        optimizer.fill(x, value);
    }

    @Override
    public double sumOfSquares(Tensor x) {
        return optimizer.sumOfSquares(x);
    }

    @Override
    public void adamW(Tensor param, Tensor grad, Tensor m, Tensor v, float lr, float beta1, float beta2, float eps,
                      float weightDecay, int step) {
        optimizer.adamW(param, grad, m, v, lr, beta1, beta2, eps, weightDecay, step);
    }

    @Override
    public void lion(Tensor param, Tensor grad, Tensor m, float lr, float beta1, float beta2, float weightDecay) {
        optimizer.lion(param, grad, m, lr, beta1, beta2, weightDecay);
    }

    private boolean closed;

    /** Live bytes are those of tensors not yet closed or collected. */
    @Override
    public Optional<DeviceMemoryUse> deviceMemory() {
        return Optional.of(cl.memory.use());
    }

    @Override
    public void synchronize() {
        cl.finish();
    }

    @Override
    public void timeAs(String op) {
        cl.times.timeAs(op);
    }

    @Override
    public Map<String, Long> drainDeviceTimes() {
        return cl.drainTimes();
    }

    /** Closing twice is harmless: a second clReleaseProgram would crash the JVM. */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        cl.close();
    }
}
