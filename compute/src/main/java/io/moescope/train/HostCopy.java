package io.moescope.train;

import io.moescope.backend.Backend;
import io.moescope.backend.Tensor;
import io.moescope.checkpoint.TensorData;

/** A resident tensor copied to the host under a name, in its own shape, ready to be written to safetensors. */
final class HostCopy {
    private HostCopy() {}

    static TensorData of(Backend backend, String name, Tensor t) {
        int[] s = t.shape();
        long[] shape = new long[s.length];
        for (int i = 0; i < s.length; i++) shape[i] = s[i];
        return TensorData.f32(name, backend.download(t), shape);
    }
}
