package io.moescope.backend;

import io.moescope.checkpoint.StoredWeight;
import io.moescope.tensor.FloatTensor;
import java.util.Optional;

/**
 * Moving values between the host and a backend's memory. Weights are uploaded once and stay
 * resident; operations take and return resident tensors, and only {@link #download} copies
 * values back to the host.
 */
public interface TensorMemory {

    /** Makes a checkpoint weight resident (for the CPU backend, without copying a mapped F32 tensor). */
    default Tensor upload(FloatTensor weight) {
        int[] shape = new int[weight.rank()];
        for (int i = 0; i < shape.length; i++) shape[i] = weight.dim(i);
        return upload(weight.toArray(), shape);
    }

    /**
     * Makes a checkpoint weight resident as it is stored (BF16, F16, F8_E4M3 with block scales, F32).
     * A backend that computes from the stored format keeps it so; by default it is widened to float32
     * here, at upload.
     */
    default Tensor upload(StoredWeight weight) {
        return upload(weight.toFloat32());
    }

    Tensor upload(float[] values, int... shape);

    Tensor uploadInts(int[] values, int... shape);

    /** A float tensor of zeros. */
    default Tensor zeros(int... shape) {
        long n = 1;
        for (int d : shape) n *= d;
        return upload(new float[Math.toIntExact(n)], shape);
    }

    float[] download(Tensor t);

    int[] downloadInts(Tensor t);

    /** The same values under another shape of equal size, sharing storage (no copy). */
    Tensor reshape(Tensor t, int... shape);

    /** Waits for queued work (a no-op where operations are synchronous). */
    default void synchronize() {}

    /** Device memory held by this backend's tensors; empty for a backend that computes in host memory. */
    default Optional<DeviceMemoryUse> deviceMemory() {
        return Optional.empty();
    }
}
