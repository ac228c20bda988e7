package io.moescope.checkpoint;

import io.moescope.files.CheckpointException;
import io.moescope.tensor.FloatTensor;
import java.util.Arrays;

/**
 * DeepSeek-V3's FP8 weights: each 128x128 block of an F8_E4M3 matrix {@code X.weight} is
 * multiplied by one float of {@code X.weight_scale_inv} (blocks at the right and bottom edges
 * are smaller, hence the rounded-up scale shape). {@link StoredWeight} applies them as it widens.
 */
final class Fp8BlockScales {
    private Fp8BlockScales() {}

    static final int BLOCK = 128;
    static final String SUFFIX = "_scale_inv";

    /** @return the scales, once their shape is checked against the weight's */
    static FloatTensor check(TensorInfo weight, TensorInfo scaleInfo, FloatTensor scale) {
        long[] ws = weight.shape();
        if (ws.length != 2) {
            throw new CheckpointException(weight.file(), "tensor " + weight.name() + " is F8_E4M3 with block scales but has shape "
                    + Arrays.toString(ws) + ", expected 2 dimensions");
        }
        long[] expected = {ceilDiv(ws[0]), ceilDiv(ws[1])};
        if (!Arrays.equals(scale.shape(), expected)) {
            throw new CheckpointException(scaleInfo.file(), "tensor " + scaleInfo.name() + " has shape " + Arrays.toString(scale.shape())
                    + ", expected " + Arrays.toString(expected) + " for 128x128 blocks of " + weight.name() + " " + Arrays.toString(ws));
        }
        return scale;
    }

    private static long ceilDiv(long n) {
        return (n + BLOCK - 1) / BLOCK;
    }
}
