package io.moescope.lab;

/**
 * Exact conversions of float32 values to lower-precision formats and back, and the scaled
 * (per row, per group) rounding of a matrix. Every rounding is to nearest with ties to even;
 * the FP8 formats saturate at their largest finite value instead of overflowing.
 */
public final class Rounding {
    private Rounding() {}

    public static final float E4M3_MAX = 448f;
    public static final float E5M2_MAX = 57344f;

    /** bfloat16: the top 16 bits of the float32, rounded to nearest even on the bit pattern. */
    public static float bf16(float x) {
        if (Float.isNaN(x)) return x;
        int bits = Float.floatToRawIntBits(x);
        bits += 0x7FFF + ((bits >>> 16) & 1);
        return Float.intBitsToFloat(bits & 0xFFFF0000);
    }

    /** IEEE binary16 (overflow becomes infinity, as the format defines). */
    public static float fp16(float x) {
        return Float.float16ToFloat(Float.floatToFloat16(x));
    }

    /** OCP FP8 E4M3 ("fn"): 3 mantissa bits, exponents -6..8, subnormals down to 2^-9, max 448. */
    public static float e4m3(float x) {
        return minifloat(x, 3, -6, E4M3_MAX);
    }

    /** OCP FP8 E5M2: 2 mantissa bits, exponents -14..15, subnormals down to 2^-16, max 57344. */
    public static float e5m2(float x) {
        return minifloat(x, 2, -14, E5M2_MAX);
    }

    /**
     * A binary float with {@code mantissa} stored bits and smallest normal exponent {@code minExp},
     * saturating at {@code max}: below 2^minExp the spacing stays 2^(minExp - mantissa) (subnormals).
     */
    static float minifloat(float x, int mantissa, int minExp, float max) {
        if (Float.isNaN(x)) return x;
        double a = Math.abs((double) x);
        if (a >= max) return Math.copySign(max, x);
        if (a == 0) return x;
        int e = Math.max(Math.getExponent(a), minExp);
        double quantum = Math.scalb(1.0, e - mantissa);
        double r = Math.rint(a / quantum) * quantum;   // exact: a power-of-two scale, then ties to even
        return (float) Math.copySign(Math.min(r, max), x);
    }

    /** One value in a format without a scale (FP32, BF16, FP16) or after dividing by its scale (FP8). */
    static float element(NumberFormat f, float x) {
        return switch (f) {
            case FP32 -> x;
            case BF16 -> bf16(x);
            case FP16 -> fp16(x);
            case FP8_E4M3 -> e4m3(x);
            case FP8_E5M2 -> e5m2(x);
            default -> throw new IllegalArgumentException(f + " is an integer format with a scale");
        };
    }

    /** Values that share one scale in this format: a row, a group of 32 or 128, or 0 for none. */
    public static int scaleGroup(NumberFormat f, int rowLength) {
        return switch (f) {
            case FP32, BF16, FP16 -> 0;
            case FP8_E4M3, FP8_E5M2, INT8_CHANNEL -> rowLength;
            case INT4_G32 -> 32;
            case INT4_G128 -> 128;
        };
    }

    /**
     * The matrix x (rows of {@code cols} values, row-major) rounded to the format and back to
     * float32: scaled formats take one scale per row (FP8, INT8) or per group of a row (INT4; the
     * last group of a row may be shorter), absmax over the largest representable magnitude.
     */
    public static float[] round(float[] x, int cols, NumberFormat f) {
        float[] out = new float[x.length];
        int group = scaleGroup(f, cols);
        if (group == 0) {
            for (int i = 0; i < x.length; i++) out[i] = element(f, x[i]);
            return out;
        }
        for (int r = 0; r < x.length / cols; r++) {
            for (int g0 = 0; g0 < cols; g0 += group) {
                int from = r * cols + g0, to = r * cols + Math.min(cols, g0 + group);
                roundGroup(x, from, to, f, out);
            }
        }
        return out;
    }

    private static void roundGroup(float[] x, int from, int to, NumberFormat f, float[] out) {
        float absmax = 0;
        for (int i = from; i < to; i++) absmax = Math.max(absmax, Math.abs(x[i]));
        if (absmax == 0 || !Float.isFinite(absmax)) {
            System.arraycopy(x, from, out, from, to - from);
            return;
        }
        switch (f) {
            case FP8_E4M3, FP8_E5M2 -> {
                float scale = absmax / (f == NumberFormat.FP8_E4M3 ? E4M3_MAX : E5M2_MAX);
                for (int i = from; i < to; i++) out[i] = element(f, x[i] / scale) * scale;
            }
            case INT8_CHANNEL, INT4_G32, INT4_G128 -> {
                int qmax = f == NumberFormat.INT8_CHANNEL ? 127 : 7;
                float scale = absmax / qmax;
                for (int i = from; i < to; i++) {
                    float q = (float) Math.max(-qmax, Math.min(qmax, Math.rint(x[i] / scale)));
                    out[i] = q * scale;
                }
            }
            default -> throw new IllegalStateException(f.toString());
        }
    }

    /**
     * Bytes a [rows, cols] matrix takes in the format, scales included (one float32 per row or
     * group); INT4 packs two values a byte.
     */
    public static long bytes(NumberFormat f, long rows, long cols) {
        long n = rows * cols;
        return switch (f) {
            case FP32 -> 4 * n;
            case BF16, FP16 -> 2 * n;
            case FP8_E4M3, FP8_E5M2, INT8_CHANNEL -> n + 4 * rows;
            case INT4_G32, INT4_G128 -> {
                long g = scaleGroup(f, 0);
                yield rows * ((cols + 1) / 2) + 4 * rows * ((cols + g - 1) / g);
            }
        };
    }
}
