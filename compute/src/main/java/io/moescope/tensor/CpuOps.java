package io.moescope.tensor;

import java.util.stream.IntStream;

/**
 * Plain-Java reference kernels on row-major float32 arrays. Weights are read from memory
 * segments (possibly the memory-mapped checkpoint); activations live on the heap.
 * Rows are spread over the common fork-join pool once there is enough work to pay for it.
 */
public final class CpuOps {
    private CpuOps() {}

    private static final long PARALLEL_THRESHOLD = 1 << 15;

    /** out[t, n] = sum_k x[t, k] * w[n, k] (+ bias[n]): a PyTorch-style linear layer, w stored [out, in]. */
    public static float[] linear(float[] x, int rows, FloatTensor w, float[] bias) {
        int n = w.dim(0), k = w.dim(1);
        if (x.length != rows * k) throw new IllegalArgumentException("linear: input " + x.length + " != " + rows + "x" + k);
        float[] out = new float[rows * n];
        var seg = w.segment();
        IntStream range = IntStream.range(0, n);
        if ((long) rows * n * k >= PARALLEL_THRESHOLD) range = range.parallel();
        range.forEach(j -> {
            long base = (long) j * k;
            for (int t = 0; t < rows; t++) {
                int xo = t * k;
                float acc = 0f;
                for (int i = 0; i < k; i++) acc += x[xo + i] * seg.getAtIndex(FloatTensor.LAYOUT, base + i);
                out[t * n + j] = bias == null ? acc : acc + bias[j];
            }
        });
        return out;
    }

    /** RMSNorm over groups of {@code weight.length} values, in place on a copy: y = x / rms(x) * weight. */
    public static float[] rmsNorm(float[] x, float[] weight, double eps) {
        int d = weight.length;
        float[] out = new float[x.length];
        for (int r = 0; r < x.length / d; r++) {
            int o = r * d;
            float ss = 0f;
            for (int i = 0; i < d; i++) ss += x[o + i] * x[o + i];
            float inv = (float) (1.0 / Math.sqrt(ss / d + eps));
            for (int i = 0; i < d; i++) out[o + i] = weight[i] * (x[o + i] * inv);
        }
        return out;
    }

    public static float silu(float v) {
        return v / (1f + (float) Math.exp(-v));
    }

    public static float sigmoid(float v) {
        return 1f / (1f + (float) Math.exp(-v));
    }

    /** Softmax of x[off .. off+n) into out[outOff .. outOff+n), summed in double for stability. */
    public static void softmax(float[] x, int off, int n, float[] out, int outOff) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) max = Math.max(max, x[off + i]);
        double sum = 0;
        for (int i = 0; i < n; i++) sum += Math.exp(x[off + i] - max);
        for (int i = 0; i < n; i++) out[outOff + i] = (float) (Math.exp(x[off + i] - max) / sum);
    }

    public static void addInPlace(float[] acc, float[] x) {
        for (int i = 0; i < acc.length; i++) acc[i] += x[i];
    }

    public static void clampInPlace(float[] x, float limit) {
        for (int i = 0; i < x.length; i++) x[i] = Math.max(-limit, Math.min(limit, x[i]));
    }
}
