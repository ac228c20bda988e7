package io.moescope.backend.ptx;

import io.moescope.backend.AttentionGradients;
import io.moescope.backend.AttentionOutput;
import io.moescope.backend.AttentionSpec;
import io.moescope.backend.DeviceMemoryLimit;
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
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * NVIDIA GPUs through the CUDA driver API and NVRTC, called with java.lang.foreign: no native code of
 * ours. Kernels are CUDA C resources compiled at run time for the device found; tensors live in device
 * memory and every operation is a kernel launch on the default stream, so nothing waits for the device
 * until a value is downloaded. Arithmetic is exact fp32 throughout (no TF32), following the java
 * backend step by step where it decides results (routing, softmax sums in double).
 */
public final class PtxBackend implements Backend, DeviceTimer {
    private final PtxRuntime rt;
    private final Gpu gpu;
    private final LinearOps linear;
    private final NormOps norms;
    private final ElementwiseOps elementwise;
    private final AttentionOps attention;
    private final RoutingOps routing;
    private final ExpertOps experts;
    private final TrainingOps training;
    private volatile boolean closed;

    private PtxBackend(PtxRuntime rt) {
        this.rt = rt;
        this.gpu = new Gpu(rt);
        Gemm gemm = new Gemm(gpu);
        ColumnSums sums = new ColumnSums(gpu);
        this.linear = new LinearOps(gpu, gemm, sums);
        this.norms = new NormOps(gpu, sums);
        this.elementwise = new ElementwiseOps(gpu);
        this.attention = new AttentionOps(gpu, gemm);
        this.routing = new RoutingOps(gpu);
        this.experts = new ExpertOps(gpu, gemm);
        this.training = new TrainingOps(gpu);
    }

    /**
     * The first CUDA device.
     *
     * @throws BackendUnavailableException without the NVIDIA driver (libcuda.so.1), a CUDA device or
     *                                     NVRTC (libnvrtc.so), saying what to install
     */
    public static PtxBackend open() {
        return open(0);
    }

    public static PtxBackend open(int device) {
        return open(CudaDriver.LIBRARY, device);
    }

    /** With another driver library name: lets tests see the message for a missing driver. */
    static PtxBackend open(String cudaLibrary, int device) {
        PtxRuntime rt = PtxRuntime.get(cudaLibrary, device);
        rt.pool.limit(DeviceMemoryLimit.current());
        return new PtxBackend(rt);
    }

    /**
     * Every CUDA device the driver reports (NVRTC is not needed to list them).
     *
     * @throws BackendUnavailableException without the NVIDIA driver
     */
    public static List<DeviceInfo> devices() {
        CudaDriver cu = CudaDriver.load(CudaDriver.LIBRARY);
        int version = cu.driverVersion();
        List<DeviceInfo> out = new ArrayList<>();
        for (int i = 0; i < cu.deviceCount(); i++) {
            int dev = cu.device(i);
            out.add(new DeviceInfo("ptx", cu.deviceName(dev), cu.totalMemory(dev),
                    cu.attribute(dev, CudaDriver.ATTR_MULTIPROCESSOR_COUNT),
                    "NVIDIA GPU, compute capability " + cu.attribute(dev, CudaDriver.ATTR_CC_MAJOR) + "."
                            + cu.attribute(dev, CudaDriver.ATTR_CC_MINOR) + ", CUDA driver " + version / 1000 + "."
                            + version % 1000 / 10));
        }
        return out;
    }

    @Override
    public String name() {
        return "ptx";
    }

    @Override
    public DeviceInfo device() {
        return rt.info();
    }

    // ---- profiling ---------------------------------------------------------------------------

    /** Starts or stops timing every kernel launch with CUDA events (a few microseconds a launch). */
    public void profileKernels(boolean on) {
        rt.profile.enable(on);
    }

    @Override
    public void timeAs(String op) {
        rt.profile.timeAs(op);
    }

    @Override
    public Map<String, Long> drainDeviceTimes() {
        rt.bind();
        return rt.profile.drainByOperation();
    }

    /** Device milliseconds per kernel since the last call, slowest first, as text lines. */
    public List<String> kernelProfile() {
        rt.bind();
        return rt.profile.drain().stream()
                .map(e -> String.format("%-28s %6d launches %10.3f ms", e.kernel(), e.launches(), e.millis())).toList();
    }

    /** The memory pool is the device's, shared by every ptx backend on it. */
    @Override
    public Optional<DeviceMemoryUse> deviceMemory() {
        return Optional.of(new DeviceMemoryUse(rt.pool.liveBytes(), rt.pool.cachedBytes(), rt.pool.peakBytes()));
    }

    // ---- moving data -------------------------------------------------------------------------

    @Override
    public Tensor upload(FloatTensor weight) {
        int[] shape = new int[weight.rank()];
        for (int i = 0; i < shape.length; i++) shape[i] = weight.dim(i);
        return gpu.upload(weight.segment(), false, shape);
    }

    @Override
    public Tensor upload(float[] values, int... shape) {
        return gpu.upload(MemorySegment.ofArray(values), false, shape);
    }

    @Override
    public Tensor uploadInts(int[] values, int... shape) {
        return gpu.upload(MemorySegment.ofArray(values), true, shape);
    }

    @Override
    public Tensor zeros(int... shape) {
        PtxTensor t = gpu.floats(shape);
        gpu.fill(t, 0f);
        return t;
    }

    @Override
    public float[] download(Tensor x) {
        PtxTensor t = Gpu.t(x);
        if (t.isInt()) throw new IllegalArgumentException("download: " + t + " holds ints; use downloadInts");
        float[] out = new float[Math.toIntExact(t.size())];
        copyToHost(t, MemorySegment.ofArray(out));
        return out;
    }

    @Override
    public int[] downloadInts(Tensor x) {
        PtxTensor t = Gpu.t(x);
        if (!t.isInt()) throw new IllegalArgumentException("downloadInts: " + t + " holds floats; use download");
        int[] out = new int[Math.toIntExact(t.size())];
        copyToHost(t, MemorySegment.ofArray(out));
        return out;
    }

    private void copyToHost(PtxTensor t, MemorySegment dst) {
        rt.bind();
        // wait outside the critical copy, so that the copy itself is short
        rt.cu.synchronize();
        if (t.bytes() > 0) rt.cu.copyToHost(dst, t.ptr(), t.bytes());
    }

    @Override
    public Tensor reshape(Tensor t, int... shape) {
        return Gpu.t(t).view(shape);
    }

    // ---- forward -----------------------------------------------------------------------------

    @Override
    public Tensor embedding(Tensor table, Tensor ids) {
        return elementwise.embedding(table, ids);
    }

    @Override
    public Tensor linear(Tensor x, Tensor w, Tensor bias) {
        return linear.linear(x, w, bias);
    }

    @Override
    public Tensor rmsNorm(Tensor x, Tensor w, float eps) {
        return norms.rmsNorm(x, w, eps);
    }

    @Override
    public void rope(Tensor x, int heads, int stride, int offset, Rotary rotary) {
        norms.rope(x, heads, stride, offset, rotary, false);
    }

    @Override
    public AttentionOutput attention(Tensor q, Tensor k, Tensor v, AttentionSpec spec, boolean keepProbabilities) {
        return attention.attention(q, k, v, spec, keepProbabilities);
    }

    @Override
    public Tensor swiglu(Tensor gate, Tensor up) {
        return elementwise.swiglu(gate, up);
    }

    @Override
    public Tensor add(Tensor a, Tensor b) {
        return elementwise.add(a, b);
    }

    @Override
    public void addInPlace(Tensor acc, Tensor x) {
        elementwise.addInPlace(acc, x);
    }

    @Override
    public void clamp(Tensor x, float limit) {
        elementwise.clamp(x, limit);
    }

    @Override
    public void scaleRowsBySigmoid(Tensor x, Tensor gate) {
        elementwise.scaleRowsBySigmoid(x, gate);
    }

    @Override
    public void copyColumns(Tensor src, int srcCol, int srcRowDivisor, Tensor dst, int dstCol, int rows, int width) {
        elementwise.copyColumns(src, srcCol, srcRowDivisor, dst, dstCol, rows, width);
    }

    @Override
    public Routing route(Tensor logits, RouterSpec spec, Tensor correctionBias) {
        return routing.route(logits, spec, correctionBias);
    }

    @Override
    public Tensor experts(Tensor x, Routing r, ExpertWeights weights) {
        return experts.experts(x, r, weights);
    }

    @Override
    public Tensor nextTokenLoss(Tensor logits, Tensor ids) {
        return training.nextTokenLoss(logits, ids);
    }

    // ---- backward ----------------------------------------------------------------------------

    @Override
    public void embeddingBackward(Tensor dOut, Tensor ids, Tensor dTable) {
        elementwise.embeddingBackward(dOut, ids, dTable);
    }

    @Override
    public Tensor linearBackward(Tensor dy, Tensor x, Tensor w, Tensor dW, Tensor dBias) {
        return linear.linearBackward(dy, x, w, dW, dBias);
    }

    @Override
    public Tensor rmsNormBackward(Tensor dy, Tensor x, Tensor w, float eps, Tensor dW) {
        return norms.rmsNormBackward(dy, x, w, eps, dW);
    }

    @Override
    public void ropeBackward(Tensor dx, int heads, int stride, int offset, Rotary rotary) {
        norms.rope(dx, heads, stride, offset, rotary, true);
    }

    /** As the interface says; the probabilities may also be null, and are then recomputed. */
    @Override
    public AttentionGradients attentionBackward(Tensor dContext, Tensor q, Tensor k, Tensor v, Tensor probabilities, AttentionSpec spec) {
        return attention.attentionBackward(dContext, q, k, v, probabilities, spec);
    }

    @Override
    public Tensor[] swigluBackward(Tensor dOut, Tensor gate, Tensor up) {
        return elementwise.swigluBackward(dOut, gate, up);
    }

    @Override
    public void clampBackward(Tensor dx, Tensor x, float limit) {
        elementwise.clampBackward(dx, x, limit);
    }

    @Override
    public Tensor[] scaleRowsBySigmoidBackward(Tensor dOut, Tensor x, Tensor gate) {
        return elementwise.scaleRowsBySigmoidBackward(dOut, x, gate);
    }

    @Override
    public void copyColumnsBackward(Tensor dDst, int dstCol, Tensor dSrc, int srcCol, int srcRowDivisor, int rows, int width) {
        elementwise.copyColumnsBackward(dDst, dstCol, dSrc, srcCol, srcRowDivisor, rows, width);
    }

    @Override
    public Tensor routeBackward(Tensor dWeight, Tensor logits, Routing r, Tensor correctionBias) {
        // the correction bias only steers the choice, which passes no gradient
        return routing.routeBackward(dWeight, logits, r);
    }

    @Override
    public Tensor[] expertsBackward(Tensor dOut, Tensor x, Routing r, ExpertWeights weights, ExpertWeights dWeights) {
        return experts.expertsBackward(dOut, x, r, weights, dWeights);
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
        elementwise.scale(x, s);
    }

    @Override
    public void fill(Tensor x, float value) {
        gpu.fill(Gpu.t(x), value);
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
    public void synchronize() {
        rt.bind();
        rt.cu.synchronize();
    }

    /**
     * Waits for queued work. The device's context, kernels and memory pool stay for the process (other
     * backends on the device share them); tensors of this backend stay valid until closed or collected.
     */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        synchronize();
    }
}
