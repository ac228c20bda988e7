package io.moescope.lab;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Each format's rounding on chosen values, bit for bit, from the formats' definitions. */
class RoundingTest {

    private static void same(float want, float got, String what) {
        assertEquals(Float.floatToRawIntBits(want), Float.floatToRawIntBits(got), what + ": want " + want + ", got " + got);
    }

    @Test
    void bf16RoundsTheBitPatternToNearestEven() {
        same(1f, Rounding.bf16(1f), "exact");
        same(Float.intBitsToFloat(0x3DCD0000), Rounding.bf16(0.1f), "0.1 = 0x3DCCCCCD rounds up");
        same(1f, Rounding.bf16(1 + 0x1p-8f), "halfway to 1 + 2^-7: even is 1");
        same(1 + 0x1p-6f, Rounding.bf16(1 + 3 * 0x1p-8f), "halfway between 1 + 2^-7 and 1 + 2^-6: even is the latter");
        same(Float.POSITIVE_INFINITY, Rounding.bf16(Float.MAX_VALUE), "above the largest bf16 by more than half a step");
        same(-2f, Rounding.bf16(-2f), "sign");
    }

    @Test
    void fp16IsIeeeHalf() {
        same(65504f, Rounding.fp16(65504f), "max");
        same(Float.POSITIVE_INFINITY, Rounding.fp16(65520f), "halfway to 65536 rounds to even: overflow");
        same(0x1p-24f, Rounding.fp16(0x1p-24f), "smallest subnormal");
        same(0f, Rounding.fp16(0x1p-25f), "half the smallest subnormal: even is 0");
        same(0.333251953125f, Rounding.fp16(1f / 3), "1/3");
    }

    @Test
    void e4m3() {
        same(448f, Rounding.e4m3(448f), "max");
        same(448f, Rounding.e4m3(500f), "saturates");
        same(448f, Rounding.e4m3(464f), "halfway past the max still saturates");
        same(-448f, Rounding.e4m3(-1e6f), "negative saturation");
        same(0.0625f, Rounding.e4m3(0.0625f), "2^-4 exact");
        same(0x1p-9f, Rounding.e4m3(0x1p-9f), "smallest subnormal");
        same(0f, Rounding.e4m3(0x1p-10f), "half the smallest subnormal: even is 0");
        same(0x1p-8f, Rounding.e4m3(3 * 0x1p-10f), "1.5 subnormal steps: even is 2 steps");
        same(0x1p-6f * 1.875f, Rounding.e4m3(0x1p-6f * 1.875f), "largest mantissa of the smallest normal binade");
        same(1f, Rounding.e4m3(1.0625f), "halfway between 1 and 1.125: even is 1");
        same(1.25f, Rounding.e4m3(1.1875f), "halfway between 1.125 and 1.25: even is 1.25");
        same(16f, Rounding.e4m3(17f), "step 2 in [16, 32): 17 is halfway, even is 16");
        same(1.125f, Rounding.e4m3(1.1f), "nearest");
    }

    @Test
    void e5m2() {
        same(57344f, Rounding.e5m2(57344f), "max");
        same(57344f, Rounding.e5m2(60000f), "saturates");
        same(0x1p-16f, Rounding.e5m2(0x1p-16f), "smallest subnormal");
        same(0f, Rounding.e5m2(0x1p-17f), "half the smallest subnormal: even is 0");
        same(0x1p-14f, Rounding.e5m2(0x1p-14f), "smallest normal");
        same(1f, Rounding.e5m2(1.125f), "halfway between 1 and 1.25: even is 1");
        same(1.5f, Rounding.e5m2(1.375f), "halfway between 1.25 and 1.5: even is 1.5");
    }

    @Test
    void int8PerChannelOnHandCheckedRows() {
        float[] x = {127f, -64f, 3.4f, 0f,
                     0.5f, 0.1f, -0.3f, 0.2f};
        float s = 0.5f / 127f;   // second row: absmax 0.5 over 127
        // 0.1 / s = 25.4 -> 25; -0.3 / s = -76.2 -> -76; 0.2 / s = 50.8 -> 51
        float[] want = {127f, -64f, 3f, 0f,
                        127 * s, 25 * s, -76 * s, 51 * s};
        assertArrayEquals(want, Rounding.round(x, 4, NumberFormat.INT8_CHANNEL));
    }

    @Test
    void int4PerGroupOnAHandCheckedRow() {
        float[] x = new float[40];
        x[0] = 7f;        // group 0: absmax 7, scale 1
        x[1] = 2.4f;
        x[2] = -3.6f;
        x[31] = 0.49f;
        x[32] = 0.7f;     // group 1 (the short last one): absmax 0.7, scale 0.1
        x[33] = 0.26f;
        x[39] = -0.64f;
        float[] g32 = Rounding.round(x, 40, NumberFormat.INT4_G32);
        float s = 0.7f / 7f;
        assertEquals(7f, g32[0]);
        assertEquals(2f, g32[1]);
        assertEquals(-4f, g32[2]);
        assertEquals(0f, g32[31]);
        assertEquals(7 * s, g32[32]);
        assertEquals(3 * s, g32[33]);
        assertEquals(-6 * s, g32[39]);
        float[] g128 = Rounding.round(x, 40, NumberFormat.INT4_G128);   // one group: scale 1 for all
        assertEquals(1f, g128[32]);
        assertEquals(0f, g128[33]);
        assertEquals(-1f, g128[39]);
    }

    @Test
    void fp8PerChannelScalesTheRowsAbsmaxToTheFormatsMax() {
        float[] x = {2f, 1f, -0.5f, 0.01f};
        float s = 2f / 448f;
        float[] got = Rounding.round(x, 4, NumberFormat.FP8_E4M3);
        assertEquals(2f, got[0], 1e-6f);
        for (int i = 0; i < 4; i++) assertEquals(Rounding.e4m3(x[i] / s) * s, got[i]);
        float[] e5 = Rounding.round(x, 4, NumberFormat.FP8_E5M2);
        assertEquals(2f, e5[0], 1e-6f);
    }

    @Test
    void bytesCountScales() {
        assertEquals(2 * 64 * 4, Rounding.bytes(NumberFormat.FP32, 2, 64));
        assertEquals(2 * 64 * 2, Rounding.bytes(NumberFormat.BF16, 2, 64));
        assertEquals(2 * 64 + 2 * 4, Rounding.bytes(NumberFormat.INT8_CHANNEL, 2, 64));
        assertEquals(2 * 32 + 2 * 2 * 4, Rounding.bytes(NumberFormat.INT4_G32, 2, 64));
        assertEquals(2 * 32 + 2 * 4, Rounding.bytes(NumberFormat.INT4_G128, 2, 64));
    }
}
