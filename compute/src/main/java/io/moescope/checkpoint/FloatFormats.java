package io.moescope.checkpoint;

import io.moescope.tensor.FloatTensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Decodes the storage dtypes of safetensors into float32. Compute is always float32, so every
 * narrower or integer dtype is widened once, into a fresh off-heap segment.
 */
public final class FloatFormats {
    private FloatFormats() {}

    static final ValueLayout.OfShort SHORT_LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfInt INT_LE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfLong LONG_LE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** One entry per byte: a table is both faster and easier to check than bit fiddling per element. */
    private static final float[] E4M3 = new float[256];

    static {
        for (int b = 0; b < 256; b++) E4M3[b] = decodeE4M3(b);
    }

    /** OCP FP8 E4M3 "fn": bias 7, no infinities, only S.1111.111 is NaN, subnormals at exponent 0. */
    private static float decodeE4M3(int b) {
        int sign = (b >> 7) & 1;
        int exp = (b >> 3) & 0xF;
        int mant = b & 0x7;
        if (exp == 0xF && mant == 0x7) return Float.NaN;
        float magnitude = exp == 0
                ? Math.scalb((float) mant, -9)               // mant/8 * 2^(1-7)
                : Math.scalb(1f + mant / 8f, exp - 7);
        return sign == 1 ? -magnitude : magnitude;
    }

    public static float e4m3(byte b) {
        return E4M3[b & 0xFF];
    }

    public static float bf16(short bits) {
        // bfloat16 is the top half of a float32, so widening is exact.
        return Float.intBitsToFloat((bits & 0xFFFF) << 16);
    }

    public static float f16(short bits) {
        return Float.float16ToFloat(bits);
    }

    /**
     * Widens {@code src}, holding {@code count} elements of {@code dtype}, into a new float32 tensor.
     * F32 is copied too; callers wanting zero-copy use the mapped slice directly.
     */
    public static FloatTensor toFloat32(MemorySegment src, DType dtype, long[] shape) {
        long count = src.byteSize() / dtype.bytes();
        MemorySegment out = Arena.ofAuto().allocate(count * 4, 4);
        var f = FloatTensor.LAYOUT;
        switch (dtype) {
            case F32 -> MemorySegment.copy(src, 0, out, 0, count * 4);
            case F16 -> { for (long i = 0; i < count; i++) out.setAtIndex(f, i, f16(src.getAtIndex(SHORT_LE, i))); }
            case BF16 -> { for (long i = 0; i < count; i++) out.setAtIndex(f, i, bf16(src.getAtIndex(SHORT_LE, i))); }
            case F8_E4M3 -> { for (long i = 0; i < count; i++) out.setAtIndex(f, i, E4M3[src.get(ValueLayout.JAVA_BYTE, i) & 0xFF]); }
            case I32 -> { for (long i = 0; i < count; i++) out.setAtIndex(f, i, src.getAtIndex(INT_LE, i)); }
            case I64 -> { for (long i = 0; i < count; i++) out.setAtIndex(f, i, src.getAtIndex(LONG_LE, i)); }
        }
        return new FloatTensor(out, shape);
    }
}
