package io.moescope.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.moescope.tensor.FloatTensor;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

class FloatFormatsTest {

    @Test
    void e4m3HandComputedValues() {
        assertEquals(1.0f, FloatFormats.e4m3((byte) 0x38));          // 0 0111 000
        assertEquals(448.0f, FloatFormats.e4m3((byte) 0x7E));        // 0 1111 110: largest finite
        assertEquals(256.0f, FloatFormats.e4m3((byte) 0x78));        // exponent 15 is still finite in "fn"
        assertEquals(0x1p-9f, FloatFormats.e4m3((byte) 0x01));       // smallest subnormal
        assertEquals(7 * 0x1p-9f, FloatFormats.e4m3((byte) 0x07));   // largest subnormal
        assertEquals(0x1p-6f, FloatFormats.e4m3((byte) 0x08));       // smallest normal
        assertEquals(-2.0f, FloatFormats.e4m3((byte) 0xC0));
        assertEquals(-448.0f, FloatFormats.e4m3((byte) 0xFE));
        assertEquals(0.0f, FloatFormats.e4m3((byte) 0x00));
        assertEquals(-0.0f, FloatFormats.e4m3((byte) 0x80));         // assertEquals on floats tells -0.0 from 0.0
        assertTrue(Float.isNaN(FloatFormats.e4m3((byte) 0x7F)));
        assertTrue(Float.isNaN(FloatFormats.e4m3((byte) 0xFF)));
    }

    @Test
    void e4m3HasTwoNaNsNoInfinitiesAndIsMonotonic() {
        int nans = 0;
        for (int b = 0; b < 256; b++) {
            float v = FloatFormats.e4m3((byte) b);
            if (Float.isNaN(v)) nans++;
            assertFalse(Float.isInfinite(v), "code " + b);
            if (b != 0x7F && b != 0xFF) assertEquals(-v, FloatFormats.e4m3((byte) (b ^ 0x80)), "sign symmetry at " + b);
        }
        assertEquals(2, nans);
        for (int b = 1; b <= 0x7E; b++) {
            assertTrue(FloatFormats.e4m3((byte) b) > FloatFormats.e4m3((byte) (b - 1)), "monotonic at " + b);
        }
    }

    @Test
    void bf16IsTheTopHalfOfFloat32() {
        assertEquals(1.0f, FloatFormats.bf16((short) 0x3F80));
        assertEquals(-2.0f, FloatFormats.bf16((short) 0xC000));
        assertEquals(Float.POSITIVE_INFINITY, FloatFormats.bf16((short) 0x7F80));
        assertEquals(Float.intBitsToFloat(0x10000), FloatFormats.bf16((short) 0x0001));
        assertTrue(Float.isNaN(FloatFormats.bf16((short) 0x7FC0)));
    }

    @Test
    void f16HandComputedValues() {
        assertEquals(1.0f, FloatFormats.f16((short) 0x3C00));
        assertEquals(65504.0f, FloatFormats.f16((short) 0x7BFF));
        assertEquals(0x1p-24f, FloatFormats.f16((short) 0x0001));
        assertEquals(-2.0f, FloatFormats.f16((short) 0xC000));
        assertEquals(Float.NEGATIVE_INFINITY, FloatFormats.f16((short) 0xFC00));
        assertEquals(0.333251953125f, FloatFormats.f16((short) 0x3555));
    }

    @Test
    void widensIntegersAndKeepsShape() {
        FloatTensor t = FloatFormats.toFloat32(MemorySegment.ofArray(StFiles.i64(-3, 0, 1L << 40)), DType.I64, new long[] {3});
        assertArrayEquals(new float[] {-3f, 0f, 0x1p40f}, t.toArray());
        FloatTensor u = FloatFormats.toFloat32(MemorySegment.ofArray(StFiles.u16(0x3C00, 0xC000, 0, 0x7BFF)), DType.F16, new long[] {2, 2});
        assertArrayEquals(new long[] {2, 2}, u.shape());
        assertArrayEquals(new float[] {1f, -2f, 0f, 65504f}, u.toArray());
    }
}
