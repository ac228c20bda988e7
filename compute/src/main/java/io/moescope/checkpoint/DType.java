package io.moescope.checkpoint;

/** The safetensors dtypes we read. Compute is always float32; these are storage types. */
public enum DType {
    F32(4), F16(2), BF16(2), F8_E4M3(1), I32(4), I64(8);

    private final int bytes;

    DType(int bytes) {
        this.bytes = bytes;
    }

    public int bytes() {
        return bytes;
    }

    public boolean isFloat() {
        return this != I32 && this != I64;
    }
}
