package io.moescope.checkpoint;

import io.moescope.tensor.FloatTensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * DeepSeek-V3's FP8 weights: each 128x128 block of an F8_E4M3 matrix {@code X.weight} is
 * multiplied by one float of {@code X.weight_scale_inv} (blocks at the right and bottom edges
 * are smaller, hence the rounded-up scale shape).
 */
final class Fp8BlockScales {
    private Fp8BlockScales() {}

    static final int BLOCK = 128;
    static final String SUFFIX = "_scale_inv";

    static FloatTensor dequantize(TensorInfo weight, MemorySegment fp8, TensorInfo scaleInfo, FloatTensor scale) {
        long[] ws = weight.shape();
        if (ws.length != 2) {
            throw new CheckpointException(weight.file(), "tensor " + weight.name() + " is F8_E4M3 with block scales but has shape "
                    + Arrays.toString(ws) + ", expected 2 dimensions");
        }
        long rows = ws[0], cols = ws[1];
        long[] expected = {ceilDiv(rows), ceilDiv(cols)};
        if (!Arrays.equals(scale.shape(), expected)) {
            throw new CheckpointException(scaleInfo.file(), "tensor " + scaleInfo.name() + " has shape " + Arrays.toString(scale.shape())
                    + ", expected " + Arrays.toString(expected) + " for 128x128 blocks of " + weight.name() + " " + Arrays.toString(ws));
        }
        MemorySegment out = Arena.ofAuto().allocate(rows * cols * 4, 4);
        long scaleCols = expected[1];
        for (long i = 0; i < rows; i++) {
            long scaleRow = (i / BLOCK) * scaleCols;
            long base = i * cols;
            for (long j = 0; j < cols; j++) {
                float s = scale.get(scaleRow + j / BLOCK);
                float w = FloatFormats.e4m3(fp8.get(ValueLayout.JAVA_BYTE, base + j));
                out.setAtIndex(FloatTensor.LAYOUT, base + j, w * s);
            }
        }
        return new FloatTensor(out, ws);
    }

    private static long ceilDiv(long n) {
        return (n + BLOCK - 1) / BLOCK;
    }
}
