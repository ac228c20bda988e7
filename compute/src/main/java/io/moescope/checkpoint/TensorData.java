package io.moescope.checkpoint;

import java.util.Arrays;

/** A named tensor held on the heap, float32 or int32, as written to an output safetensors file. */
public record TensorData(String name, long[] shape, float[] floats, int[] ints) {

    public TensorData {
        if ((floats == null) == (ints == null)) throw new IllegalArgumentException("exactly one of floats, ints");
        long n = 1;
        for (long d : shape) n = Math.multiplyExact(n, d);
        long len = floats != null ? floats.length : ints.length;
        if (n != len) throw new IllegalArgumentException(name + ": " + len + " values for shape " + Arrays.toString(shape));
        shape = shape.clone();
    }

    public static TensorData f32(String name, float[] values, long... shape) {
        return new TensorData(name, shape, values, null);
    }

    public static TensorData i32(String name, int[] values, long... shape) {
        return new TensorData(name, shape, null, values);
    }

    public DType dtype() {
        return floats != null ? DType.F32 : DType.I32;
    }
}
