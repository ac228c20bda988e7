package io.moescope.analysis;

import io.moescope.checkpoint.Checkpoint;
import io.moescope.checkpoint.TensorInfo;
import io.moescope.tensor.FloatTensor;

/**
 * Summary of one checkpoint tensor for the tensor browser: its values' range, mean, standard
 * deviation and a histogram between min and max. Non-finite values are counted, not binned.
 *
 * @param histogram counts of {@code bins} equal-width bins over [min, max]
 */
public record TensorStats(String name, String dtype, long[] shape, long count, double min, double max,
                          double mean, double std, long nonFinite, long[] histogram) {

    /** @throws io.moescope.files.CheckpointException when the tensor is missing */
    public static TensorStats of(Checkpoint ckpt, String name, int bins) {
        TensorInfo info = ckpt.info(name);
        if (info == null) throw new io.moescope.files.CheckpointException(ckpt.dir(), "tensor " + name + " missing");
        if (!info.dtype().isFloat()) {
            int[] v = ckpt.ints(name);
            float[] f = new float[v.length];
            for (int i = 0; i < v.length; i++) f[i] = v[i];
            return of(name, info, f, bins);
        }
        FloatTensor t = ckpt.floats(name);
        return of(name, info, t.toArray(), bins);
    }

    static TensorStats of(String name, TensorInfo info, float[] v, int bins) {
        double min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY, sum = 0;
        long finite = 0, bad = 0;
        for (float x : v) {
            if (!Float.isFinite(x)) {
                bad++;
                continue;
            }
            min = Math.min(min, x);
            max = Math.max(max, x);
            sum += x;
            finite++;
        }
        double mean = finite == 0 ? Double.NaN : sum / finite, var = 0;
        long[] hist = new long[bins];
        double width = max > min ? (max - min) / bins : 1;
        for (float x : v) {
            if (!Float.isFinite(x)) continue;
            var += (x - mean) * (x - mean);
            hist[Math.min(bins - 1, (int) ((x - min) / width))]++;
        }
        return new TensorStats(name, info.dtype().name(), info.shape().clone(), v.length, finite == 0 ? Double.NaN : min,
                finite == 0 ? Double.NaN : max, mean, finite == 0 ? Double.NaN : Math.sqrt(var / finite), bad, hist);
    }
}
