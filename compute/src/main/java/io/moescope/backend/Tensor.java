package io.moescope.backend;

import java.util.Arrays;

/**
 * A tensor that lives where its backend computes: heap or mapped memory for the CPU backend,
 * device memory for GPU backends. Row-major; float32 unless {@link #isInt()}. Only the backend
 * that made it may read it; the host sees values through {@link Backend#download}.
 */
public interface Tensor extends AutoCloseable {

    int[] shape();

    boolean isInt();

    default long size() {
        long n = 1;
        for (int d : shape()) n *= d;
        return n;
    }

    default int dim(int i) {
        return shape()[i];
    }

    /** Rows of a matrix view: every dimension but the last. */
    default int rows() {
        int[] s = shape();
        return Math.toIntExact(size() / s[s.length - 1]);
    }

    /** Width of a matrix view: the last dimension. */
    default int cols() {
        int[] s = shape();
        return s[s.length - 1];
    }

    /** Releases device memory now rather than when garbage collected; a no-op on the heap. */
    @Override
    default void close() {}

    static String describe(int[] shape) {
        return Arrays.toString(shape);
    }
}
