package io.moescope.backend.profile;

import io.moescope.backend.AttentionGradients;
import io.moescope.backend.AttentionOutput;
import io.moescope.backend.AttentionSpec;
import io.moescope.backend.Backend;
import io.moescope.backend.ExpertWeights;
import io.moescope.backend.ForwardingBackend;
import io.moescope.backend.Rotary;
import io.moescope.backend.RouterSpec;
import io.moescope.backend.Routing;
import io.moescope.backend.Tensor;
import io.moescope.checkpoint.StoredWeight;
import io.moescope.tensor.FloatTensor;
import java.util.List;
import java.util.function.Supplier;

/**
 * Wraps any backend and records, per operation, the wall time (System.nanoTime) and the bytes
 * moved: the sizes of its inputs and outputs at 4 bytes a value, with uploads and downloads
 * also counted apart. Results are those of the wrapped backend, unchanged.
 *
 * <p>GPU backends queue their work, so a bare clock would time the queuing, not the kernel. A
 * backend that times its own device work ({@link DeviceTimer}: the opencl and ptx backends, with
 * profiling and CUDA events) is told which operation is queuing and reports device time per
 * operation once the device has run it, read whenever the host waits anyway ({@link #synchronize},
 * downloads) and every {@link #DRAIN_EVERY} operations; host and device stay overlapped, and an
 * operation's time is that of its kernels and copies on the device. Other backends are timed by
 * the host clock between {@link Backend#synchronize()} calls before and after the operation,
 * which on the CPU are free. Uploads, downloads and reshapes, which the host waits for, are always
 * timed by the host clock.
 *
 * <p>Time spent inside an operation by its own helpers (the java backend's experts run its linear
 * kernel) is counted to the operation that was called, once.
 */
public final class ProfilingBackend extends ForwardingBackend {
    /** Timed operations after which pending device times are read even if the host never waited. */
    static final int DRAIN_EVERY = 4096;

    private final OpRecorder recorder;
    /** The inner backend's own device timing, or null to time by the host clock. */
    private final DeviceTimer deviceTimer;
    private int sinceDrain;

    public ProfilingBackend(Backend inner, OpRecorder recorder) {
        super(inner);
        this.recorder = recorder;
        this.deviceTimer = inner instanceof DeviceTimer t ? t : null;
    }

    // ---- measuring ---------------------------------------------------------------------------

    private <R> R timed(String op, long inBytes, Supplier<R> call) {
        if (deviceTimer == null) return hostTimed(op, inBytes, call);
        R r;
        deviceTimer.timeAs(op);
        try {
            r = call.get();
        } finally {
            deviceTimer.timeAs(null);
        }
        recorder.record(op, 0, inBytes + bytesOf(r));
        if (++sinceDrain >= DRAIN_EVERY) drainDeviceTimes();
        return r;
    }

    /** Timed by the host clock around the operation, with the device idle before and after. */
    private <R> R hostTimed(String op, long inBytes, Supplier<R> call) {
        inner.synchronize();
        drainDeviceTimes();
        long t0 = System.nanoTime();
        R r = call.get();
        inner.synchronize();
        long dt = System.nanoTime() - t0;
        recorder.record(op, dt, inBytes + bytesOf(r));
        return r;
    }

    private void timed(String op, long bytes, Runnable call) {
        timed(op, bytes, () -> {
            call.run();
            return null;
        });
    }

    /** Hands the device times of operations the device has run since the last call to the recorder. */
    private void drainDeviceTimes() {
        if (deviceTimer == null) return;
        sinceDrain = 0;
        deviceTimer.drainDeviceTimes().forEach(recorder::deviceTime);
    }

    /** Bytes of whatever an operation returned: a tensor, tensors, attention or routing results. */
    private static long bytesOf(Object r) {
        return switch (r) {
            case null -> 0;
            case Tensor t -> t.size() * 4;
            case Tensor[] ts -> bytes(ts);
            case AttentionOutput a -> bytes(a.context(), a.probabilities());
            case AttentionGradients g -> bytes(g.dq(), g.dk(), g.dv());
            case Routing r2 -> bytes(r2.index(), r2.weight());
            case float[] f -> 4L * f.length;
            case int[] i -> 4L * i.length;
            default -> 0;
        };
    }

    private static long bytes(Tensor... ts) {
        long n = 0;
        for (Tensor t : ts) if (t != null) n += t.size() * 4;
        return n;
    }

    private static long bytes(Routing r) {
        return r == null ? 0 : bytes(r.index(), r.weight());
    }

    private static long bytes(ExpertWeights w) {
        if (w == null) return 0;
        long n = 0;
        for (List<Tensor> part : List.of(w.gate(), w.up(), w.down())) {
            for (Tensor t : part) n += bytes(t);
        }
        return n;
    }

    // ---- the backend's own calls (name, device and memory use pass through unrecorded) -------

    @Override
    public void synchronize() {
        inner.synchronize();
        drainDeviceTimes();
    }

    /**
     * Reads the last device times, then closes the wrapped backend too: unlike other
     * {@link ForwardingBackend}s, which borrow their backend, the profiler is
     * opened together with what it wraps (--profile, the workbench) and stands in for it.
     */
    @Override
    public void close() {
        drainDeviceTimes();
        inner.close();
    }

    // ---- moving data -------------------------------------------------------------------------

    @Override
    public Tensor upload(FloatTensor weight) {
        recorder.uploaded(weight.size() * 4);
        return hostTimed("upload", 0, () -> inner.upload(weight));
    }

    @Override
    public Tensor upload(StoredWeight weight) {
        recorder.uploaded(weight.storedBytes());
        return hostTimed("upload", 0, () -> inner.upload(weight));
    }

    @Override
    public Tensor upload(float[] values, int... shape) {
        recorder.uploaded(4L * values.length);
        return hostTimed("upload", 0, () -> inner.upload(values, shape));
    }

    @Override
    public Tensor uploadInts(int[] values, int... shape) {
        recorder.uploaded(4L * values.length);
        return hostTimed("uploadInts", 0, () -> inner.uploadInts(values, shape));
    }

    @Override
    public Tensor zeros(int... shape) {
        return timed("zeros", 0, () -> inner.zeros(shape));
    }

    @Override
    public float[] download(Tensor t) {
        recorder.downloaded(bytes(t));
        return hostTimed("download", 0, () -> inner.download(t));
    }

    @Override
    public int[] downloadInts(Tensor t) {
        recorder.downloaded(bytes(t));
        return hostTimed("downloadInts", 0, () -> inner.downloadInts(t));
    }

    /** A view: recorded for its calls, but it moves nothing and queues no device work, so nothing waits for the device. */
    @Override
    public Tensor reshape(Tensor t, int... shape) {
        long t0 = System.nanoTime();
        Tensor r = inner.reshape(t, shape);
        recorder.record("reshape", System.nanoTime() - t0, 0);
        return r;
    }

    // ---- forward -----------------------------------------------------------------------------

    @Override
    public Tensor embedding(Tensor table, Tensor ids) {
        // Only the picked rows of the table are read: as many values as the output has.
        return timed("embedding", bytes(ids), () -> inner.embedding(table, ids));
    }

    @Override
    public Tensor linear(Tensor x, Tensor w, Tensor bias) {
        return timed("linear", bytes(x, w, bias), () -> inner.linear(x, w, bias));
    }

    @Override
    public Tensor rmsNorm(Tensor x, Tensor w, float eps) {
        return timed("rmsNorm", bytes(x, w), () -> inner.rmsNorm(x, w, eps));
    }

    @Override
    public void rope(Tensor x, int heads, int stride, int offset, Rotary rotary) {
        timed("rope", 2 * bytes(x), () -> inner.rope(x, heads, stride, offset, rotary));
    }

    @Override
    public AttentionOutput attention(Tensor q, Tensor k, Tensor v, AttentionSpec spec, boolean keepProbabilities) {
        return timed("attention", bytes(q, k, v), () -> inner.attention(q, k, v, spec, keepProbabilities));
    }

    @Override
    public Tensor swiglu(Tensor gate, Tensor up) {
        return timed("swiglu", bytes(gate, up), () -> inner.swiglu(gate, up));
    }

    @Override
    public Tensor add(Tensor a, Tensor b) {
        return timed("add", bytes(a, b), () -> inner.add(a, b));
    }

    @Override
    public void addInPlace(Tensor acc, Tensor x) {
        timed("addInPlace", 2 * bytes(acc) + bytes(x), () -> inner.addInPlace(acc, x));
    }

    @Override
    public void clamp(Tensor x, float limit) {
        timed("clamp", 2 * bytes(x), () -> inner.clamp(x, limit));
    }

    @Override
    public void scaleRowsBySigmoid(Tensor x, Tensor gate) {
        timed("scaleRowsBySigmoid", 2 * bytes(x) + bytes(gate), () -> inner.scaleRowsBySigmoid(x, gate));
    }

    @Override
    public void copyColumns(Tensor src, int srcCol, int srcRowDivisor, Tensor dst, int dstCol, int rows, int width) {
        timed("copyColumns", 2 * 4L * rows * width, () -> inner.copyColumns(src, srcCol, srcRowDivisor, dst, dstCol, rows, width));
    }

    @Override
    public Routing route(Tensor logits, RouterSpec spec, Tensor correctionBias) {
        return timed("route", bytes(logits, correctionBias), () -> inner.route(logits, spec, correctionBias));
    }

    @Override
    public Tensor experts(Tensor x, Routing routing, ExpertWeights weights) {
        return timed("experts", bytes(x) + bytes(routing) + bytes(weights), () -> inner.experts(x, routing, weights));
    }

    @Override
    public Tensor nextTokenLoss(Tensor logits, Tensor ids) {
        return timed("nextTokenLoss", bytes(logits, ids), () -> inner.nextTokenLoss(logits, ids));
    }

    // ---- backward ----------------------------------------------------------------------------
    // Accumulated gradients are read and written: counted twice.

    @Override
    public void embeddingBackward(Tensor dOut, Tensor ids, Tensor dTable) {
        timed("embeddingBackward", 3 * bytes(dOut) + bytes(ids), () -> inner.embeddingBackward(dOut, ids, dTable));
    }

    @Override
    public Tensor linearBackward(Tensor dy, Tensor x, Tensor w, Tensor dW, Tensor dBias) {
        return timed("linearBackward", bytes(dy, x, w) + 2 * bytes(dW, dBias), () -> inner.linearBackward(dy, x, w, dW, dBias));
    }

    @Override
    public Tensor rmsNormBackward(Tensor dy, Tensor x, Tensor w, float eps, Tensor dW) {
        return timed("rmsNormBackward", bytes(dy, x, w) + 2 * bytes(dW), () -> inner.rmsNormBackward(dy, x, w, eps, dW));
    }

    @Override
    public void ropeBackward(Tensor dx, int heads, int stride, int offset, Rotary rotary) {
        timed("ropeBackward", 2 * bytes(dx), () -> inner.ropeBackward(dx, heads, stride, offset, rotary));
    }

    @Override
    public AttentionGradients attentionBackward(Tensor dContext, Tensor q, Tensor k, Tensor v, Tensor probabilities,
                                                AttentionSpec spec) {
        return timed("attentionBackward", bytes(dContext, q, k, v, probabilities),
                () -> inner.attentionBackward(dContext, q, k, v, probabilities, spec));
    }

    @Override
    public Tensor[] swigluBackward(Tensor dOut, Tensor gate, Tensor up) {
        return timed("swigluBackward", bytes(dOut, gate, up), () -> inner.swigluBackward(dOut, gate, up));
    }

    @Override
    public void clampBackward(Tensor dx, Tensor x, float limit) {
        timed("clampBackward", 2 * bytes(dx) + bytes(x), () -> inner.clampBackward(dx, x, limit));
    }

    @Override
    public Tensor[] scaleRowsBySigmoidBackward(Tensor dOut, Tensor x, Tensor gate) {
        return timed("scaleRowsBySigmoidBackward", bytes(dOut, x, gate), () -> inner.scaleRowsBySigmoidBackward(dOut, x, gate));
    }

    @Override
    public void copyColumnsBackward(Tensor dDst, int dstCol, Tensor dSrc, int srcCol, int srcRowDivisor, int rows, int width) {
        timed("copyColumnsBackward", 3 * 4L * rows * width,
                () -> inner.copyColumnsBackward(dDst, dstCol, dSrc, srcCol, srcRowDivisor, rows, width));
    }

    @Override
    public Tensor routeBackward(Tensor dWeight, Tensor logits, Routing routing, Tensor correctionBias) {
        return timed("routeBackward", bytes(dWeight, logits, correctionBias) + bytes(routing),
                () -> inner.routeBackward(dWeight, logits, routing, correctionBias));
    }

    @Override
    public Tensor[] expertsBackward(Tensor dOut, Tensor x, Routing routing, ExpertWeights weights, ExpertWeights dWeights) {
        return timed("expertsBackward", bytes(dOut, x) + bytes(routing) + bytes(weights) + 2 * bytes(dWeights),
                () -> inner.expertsBackward(dOut, x, routing, weights, dWeights));
    }

    @Override
    public Tensor nextTokenLossBackward(Tensor logits, Tensor ids, float scale) {
        return timed("nextTokenLossBackward", bytes(logits, ids), () -> inner.nextTokenLossBackward(logits, ids, scale));
    }

    @Override
    public Tensor softmaxWeightedSumBackward(Tensor logits, float[] c, float scale) {
        return timed("softmaxWeightedSumBackward", bytes(logits) + 4L * c.length, () -> inner.softmaxWeightedSumBackward(logits, c, scale));
    }

    // ---- training ----------------------------------------------------------------------------

    @Override
    public void scale(Tensor x, float s) {
        timed("scale", 2 * bytes(x), () -> inner.scale(x, s));
    }

    @Override
    public void fill(Tensor x, float value) {
        timed("fill", bytes(x), () -> inner.fill(x, value));
    }

    @Override
    public double sumOfSquares(Tensor x) {
        return timed("sumOfSquares", bytes(x), () -> inner.sumOfSquares(x));
    }

    @Override
    public void adamW(Tensor param, Tensor grad, Tensor m, Tensor v, float lr, float beta1, float beta2, float eps,
                      float weightDecay, int step) {
        timed("adamW", 2 * bytes(param, m, v) + bytes(grad), () -> inner.adamW(param, grad, m, v, lr, beta1, beta2, eps, weightDecay, step));
    }

    @Override
    public void lion(Tensor param, Tensor grad, Tensor m, float lr, float beta1, float beta2, float weightDecay) {
        timed("lion", 2 * bytes(param, m) + bytes(grad), () -> inner.lion(param, grad, m, lr, beta1, beta2, weightDecay));
    }
}
