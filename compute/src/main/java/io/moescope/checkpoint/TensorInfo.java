package io.moescope.checkpoint;

import java.nio.file.Path;
import java.util.Arrays;

/**
 * One entry of a safetensors header: where a tensor's bytes lie in its file.
 * {@code begin} and {@code end} are absolute file offsets (header already skipped).
 */
public record TensorInfo(String name, DType dtype, long[] shape, Path file, long begin, long end) {

    public long elementCount() {
        long n = 1;
        for (long d : shape) n = Math.multiplyExact(n, d);
        return n;
    }

    public long byteSize() {
        return end - begin;
    }

    public String shapeString() {
        return Arrays.toString(shape);
    }
}
