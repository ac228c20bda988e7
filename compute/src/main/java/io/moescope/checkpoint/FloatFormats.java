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

    /** The nearest bfloat16 (ties to even), as torch's {@code .to(torch.bfloat16)} rounds; NaN stays NaN. */
    public static short toBf16(float v) {
        int bits = Float.floatToRawIntBits(v);
        if (Float.isNaN(v)) return (short) ((bits >>> 16) | 0x40);
        return (short) ((bits + 0x7FFF + ((bits >>> 16) & 1)) >>> 16);
    }

    /** The largest finite E4M3 value. */
    public static final float E4M3_MAX = 448f;

    /**
     * The nearest E4M3 value (ties to the even code), saturating at +-448 as FP8 checkpoints are
     * made (values are scaled into range first); NaN gives the NaN code.
     */
    public static byte toE4m3(float v) {
        if (Float.isNaN(v)) return 0x7F;
        int sign = v < 0 || (v == 0 && 1 / v < 0) ? 0x80 : 0;
        float a = Math.abs(v);
        // Codes 0..126 are the finite non-negative values in increasing order: find the pair around a.
        int lo = 0, hi = 126;
        if (a >= E4M3[hi]) return (byte) (sign | hi);
        while (hi - lo > 1) {
            int mid = (lo + hi) >>> 1;
            if (E4M3[mid] <= a) lo = mid;
            else hi = mid;
        }
        float below = a - E4M3[lo], above = E4M3[hi] - a;
        int code = below < above ? lo : above < below ? hi : (lo & 1) == 0 ? lo : hi;
        return (byte) (sign | code);
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
