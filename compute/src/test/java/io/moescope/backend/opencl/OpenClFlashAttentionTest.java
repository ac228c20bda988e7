package io.moescope.backend.opencl;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.moescope.backend.AttentionSpec;
import io.moescope.backend.Backend;
import io.moescope.backend.Tensor;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * The flash attention kernel at every tile shape against the java reference: sequences shorter than a
 * tile, not a multiple of it, sliding windows, grouped key heads and head widths from 4 to 128.
 */
class OpenClFlashAttentionTest {
    private static final double REL = 1e-5;
    /** T, H, Hkv, dqk, dv, window. */
    private static final int[][] SHAPES = {{1, 2, 1, 64, 64, 0}, {37, 4, 2, 64, 64, 0}, {100, 2, 2, 20, 12, 17},
            {130, 3, 1, 128, 128, 0}, {200, 2, 1, 64, 32, 50}, {71, 2, 2, 4, 8, 1}};

    @ParameterizedTest
    @ValueSource(strings = {"32x32", "32x64", "16x16", "64x32", "16x64", "64x16"})
    void matchesTheReference(String tile) {
        try (OpenClBackend cl = withTile(tile)) {
            for (int[] s : SHAPES) {
                int T = s[0], H = s[1], Hkv = s[2], dqk = s[3], dv = s[4];
                AttentionSpec spec = new AttentionSpec(T, H, Hkv, dqk, dv, 1f / (float) Math.sqrt(dqk), s[5]);
                Random rnd = new Random(T * 31L + dqk);
                float[] q = random(rnd, T * H * dqk), k = random(rnd, T * Hkv * dqk), v = random(rnd, T * Hkv * dv);
                OpenClTesting.assertClose("flash attention " + tile + ", shape " + java.util.Arrays.toString(s),
                        context(References.java(), q, k, v, spec), context(cl, q, k, v, spec), REL);
            }
        }
    }

    @Test
    void refusesTilesItCannotBuild() {
        assertThrows(IllegalArgumentException.class, () -> new FlashTile(64, 64));
        assertThrows(IllegalArgumentException.class, () -> new FlashTile(24, 32));
    }

    /** NVIDIA's OpenCL gives a work-group 48 KiB: the default tile must take heads of 128 there. */
    @Test
    void theDefaultTileFitsNvidiaLocalMemoryAtTheWidestHeads() {
        assertTrue(FlashTile.configured().localBytes(FlashTile.MAX_D, FlashTile.MAX_D) <= 48 * 1024);
    }

    private static float[] context(Backend b, float[] q, float[] k, float[] v, AttentionSpec s) {
        int T = s.tokens();
        try (Tensor qt = b.upload(q, T, s.heads() * s.qkDim()); Tensor kt = b.upload(k, T, s.kvHeads() * s.qkDim());
             Tensor vt = b.upload(v, T, s.kvHeads() * s.vDim()); Tensor c = b.attention(qt, kt, vt, s, false).context()) {
            return b.download(c);
        }
    }

    private static float[] random(Random rnd, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (rnd.nextFloat() * 2 - 1) * 2;
        return x;
    }

    private static OpenClBackend withTile(String tile) {
        String before = System.getProperty(FlashTile.PROPERTY);
        System.setProperty(FlashTile.PROPERTY, tile);
        try {
            return OpenClBackend.open();
        } finally {
            if (before == null) System.clearProperty(FlashTile.PROPERTY);
            else System.setProperty(FlashTile.PROPERTY, before);
        }
    }
}
