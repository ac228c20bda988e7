package io.moescope.checkpoint;

import static io.moescope.checkpoint.StFiles.concat;
import static io.moescope.checkpoint.StFiles.f32;
import static io.moescope.checkpoint.StFiles.i64;
import static io.moescope.checkpoint.StFiles.raw;
import static io.moescope.checkpoint.StFiles.u16;
import static io.moescope.checkpoint.StFiles.u8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.moescope.tensor.FloatTensor;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsFileTest {
    @TempDir Path tmp;

    @Test
    void decodesNarrowFloatDtypes() {
        Path f = raw(tmp.resolve("narrow.safetensors"), "{"
                + "'h':{'dtype':'F16','shape':[2],'data_offsets':[0,4]},"
                + "'b':{'dtype':'BF16','shape':[2],'data_offsets':[4,8]},"
                + "'e':{'dtype':'F8_E4M3','shape':[5],'data_offsets':[8,13]}}",
                concat(u16(0x3C00, 0x7BFF), u16(0x3F80, 0xC000), u8(0x38, 0x7E, 0x01, 0x80, 0x7F)));
        try (SafetensorsFile st = SafetensorsFile.open(f)) {
            assertArrayEquals(new float[] {1f, 65504f}, st.floats("h").toArray());
            assertArrayEquals(new float[] {1f, -2f}, st.floats("b").toArray());
            float[] e = st.floats("e").toArray();
            assertEquals(1f, e[0]);
            assertEquals(448f, e[1]);
            assertEquals(0x1p-9f, e[2]);
            assertEquals(-0.0f, e[3]);
            assertTrue(Float.isNaN(e[4]));
            assertFalse(st.floats("h").segment().isMapped(), "widened tensors live in a fresh segment");
        }
    }

    @Test
    void f32IsAZeroCopySliceEvenWhenUnaligned() {
        // A 13-byte header puts the data at file offset 21: safetensors does not promise alignment.
        byte[] h = StFiles.json("{'x':{'dtype':'F32','shape':[2,2],'data_offsets':[0,16]}}");
        byte[] padded = new byte[h.length + 5];
        System.arraycopy(h, 0, padded, 0, h.length);
        java.util.Arrays.fill(padded, h.length, padded.length, (byte) ' ');
        Path f = raw(tmp.resolve("x.safetensors"), padded.length, padded, f32(1.5f, -2f, 3f, 0.25f));
        try (SafetensorsFile st = SafetensorsFile.open(f)) {
            FloatTensor t = st.floats("x");
            assertTrue(t.segment().isMapped());
            assertEquals(8 + padded.length, st.info("x").begin());
            assertArrayEquals(new long[] {2, 2}, t.shape());
            assertArrayEquals(new float[] {1.5f, -2f, 3f, 0.25f}, t.toArray());
        }
    }

    @Test
    void headerOrderMetadataAndBytes() {
        Path f = raw(tmp.resolve("m.safetensors"), "{'__metadata__':{'format':'pt','note':'hi'},"
                + "'z':{'dtype':'F32','shape':[1],'data_offsets':[4,8]},"
                + "'a':{'dtype':'F32','shape':[],'data_offsets':[0,4]},"
                + "'empty':{'dtype':'F32','shape':[0,3],'data_offsets':[8,8]}}", f32(7f, 9f));
        try (SafetensorsFile st = SafetensorsFile.open(f)) {
            assertEquals(List.of("z", "a", "empty"), List.copyOf(st.tensors().keySet()));
            assertEquals(Map.of("format", "pt", "note", "hi"), st.metadata());
            assertNull(st.info("nope"));
            assertEquals(4, st.bytes("z").byteSize());
            assertEquals(9f, st.floats("z").get(0));
            assertEquals(7f, st.floats("a").get(0));
            assertEquals(0, st.floats("empty").size());
            StFiles.assertRefused(f, "tensor nope missing", () -> st.floats("nope"));
        }
    }

    @Test
    void intsFromI32AndI64() {
        Path f = raw(tmp.resolve("i.safetensors"), "{"
                + "'a':{'dtype':'I64','shape':[3],'data_offsets':[0,24]},"
                + "'b':{'dtype':'I32','shape':[2],'data_offsets':[24,32]},"
                + "'big':{'dtype':'I64','shape':[1],'data_offsets':[32,40]},"
                + "'f':{'dtype':'F32','shape':[1],'data_offsets':[40,44]}}",
                concat(i64(-1, 0, Integer.MAX_VALUE), StFiles.concat(i32(5), i32(-6)), i64(1L << 33), f32(1f)));
        try (SafetensorsFile st = SafetensorsFile.open(f)) {
            assertArrayEquals(new int[] {-1, 0, Integer.MAX_VALUE}, st.ints("a"));
            assertArrayEquals(new int[] {5, -6}, st.ints("b"));
            assertArrayEquals(new float[] {5f, -6f}, st.floats("b").toArray());
            StFiles.assertRefused(f, "does not fit in int32", () -> st.ints("big"));
            StFiles.assertRefused(f, "expected an integer tensor", () -> st.ints("f"));
        }
    }

    @Test
    void closeUnmapsAndIsIdempotent() {
        Path f = raw(tmp.resolve("c.safetensors"), "{'x':{'dtype':'F32','shape':[1],'data_offsets':[0,4]}}", f32(1f));
        SafetensorsFile st = SafetensorsFile.open(f);
        FloatTensor t = st.floats("x");
        st.close();
        st.close();
        assertThrows(IllegalStateException.class, () -> t.get(0));
        assertThrows(IllegalStateException.class, () -> st.floats("x"));
    }

    private static byte[] i32(int v) {
        return java.nio.ByteBuffer.allocate(4).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(v).array();
    }
}
