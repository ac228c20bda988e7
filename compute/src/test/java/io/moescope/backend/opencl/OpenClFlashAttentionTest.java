package io.moescope.backend.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.moescope.backend.AttentionOutput;
import io.moescope.backend.AttentionSpec;
import io.moescope.backend.Backend;
import io.moescope.backend.Tensor;
import io.moescope.testing.OpenClRequirement;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * The flash attention kernel at every tile shape against the java reference: sequences shorter than a
 * tile, not a multiple of it, sliding windows, grouped key heads and head widths from 4 to 128; in the
 * main program (the wide one off) and in the wide tile's own program.
 */
class OpenClFlashAttentionTest {
    private static final double REL = 1e-5;
    /** T, H, Hkv, dqk, dv, window. */
    private static final int[][] SHAPES = {{1, 2, 1, 64, 64, 0}, {37, 4, 2, 64, 64, 0}, {100, 2, 2, 20, 12, 17},
            {130, 3, 1, 128, 128, 0}, {200, 2, 1, 64, 32, 50}, {71, 2, 2, 4, 8, 1}};

    @ParameterizedTest
    @ValueSource(strings = {"32x32", "32x64", "16x16", "64x32", "16x64", "64x16"})
    void matchesTheReference(String tile) {
        assertMatches(tile, "off");
    }

    /** The wide program, which runs every shape here whose buffers fit the device (PoCL's local memory: all). */
    @ParameterizedTest
    @ValueSource(strings = {"32x64", "64x32"})
    void theWideProgramMatchesTheReference(String wide) {
        assertMatches("16x16", wide);
    }

    private static void assertMatches(String tile, String wide) {
        ClContext context = withTiles(tile, wide);
        if (!wide.equals("off")) {
            // the shapes at heads of 64 must really run in the wide program, or this would test the main one twice
            assertEquals(wide, tileName(FlashTile.choose(context.flashTile, context.wideFlash, context.localMemory, context.reductionSize, 64, 64)));
        }
        try (OpenClBackend cl = new OpenClBackend(context)) {
            for (int[] s : SHAPES) {
                int T = s[0], H = s[1], Hkv = s[2], dqk = s[3], dv = s[4];
                AttentionSpec spec = new AttentionSpec(T, H, Hkv, dqk, dv, 1f / (float) Math.sqrt(dqk), s[5]);
                Random rnd = new Random(T * 31L + dqk);
                float[] q = random(rnd, T * H * dqk), k = random(rnd, T * Hkv * dqk), v = random(rnd, T * Hkv * dv);
                OpenClTesting.assertClose("flash attention " + tile + " (wide " + wide + "), shape " + java.util.Arrays.toString(s),
                        context(References.java(), q, k, v, spec), context(cl, q, k, v, spec), REL);
            }
        }
    }

    /**
     * Asked for the probabilities too, the flash kernel gives each row's log-sum-exp and a second kernel
     * writes the probabilities from it: both they and the context match the reference, zeros included.
     */
    @ParameterizedTest
    @ValueSource(strings = {"32x32/off", "16x16/32x64"})
    void probabilitiesFromTheFlashKernelMatchTheReference(String tiles) {
        String[] t = tiles.split("/");
        ClContext context = withTiles(t[0], t[1]);
        try (OpenClBackend cl = new OpenClBackend(context)) {
            assertTrue(AttentionOps.takesTiles(context), "the device takes 16 x 16 work-items: " + context.maxWorkGroup);
            for (int[] s : SHAPES) {
                int T = s[0], H = s[1], Hkv = s[2], dqk = s[3], dv = s[4];
                AttentionSpec spec = new AttentionSpec(T, H, Hkv, dqk, dv, 1f / (float) Math.sqrt(dqk), s[5]);
                // or the per-row kernel would give the probabilities, and this would test it instead
                assertNotNull(AttentionOps.flashTile(context, spec), java.util.Arrays.toString(s));
                Random rnd = new Random(T * 17L + dqk);
                float[] q = random(rnd, T * H * dqk), k = random(rnd, T * Hkv * dqk), v = random(rnd, T * Hkv * dv);
                float[][] want = withProbabilities(References.java(), q, k, v, spec), got = withProbabilities(cl, q, k, v, spec);
                String what = "flash attention " + tiles + ", shape " + java.util.Arrays.toString(s);
                OpenClTesting.assertClose(what + ": context", want[0], got[0], REL);
                OpenClTesting.assertClose(what + ": probabilities", want[1], got[1], REL);
                for (int i = 0; i < want[1].length; i++) {
                    if (want[1][i] == 0f) assertEquals(0f, got[1][i], what + ": hidden key at " + i);
                }
            }
        }
    }

    private static float[][] withProbabilities(Backend b, float[] q, float[] k, float[] v, AttentionSpec s) {
        int T = s.tokens();
        try (Tensor qt = b.upload(q, T, s.heads() * s.qkDim()); Tensor kt = b.upload(k, T, s.kvHeads() * s.qkDim());
             Tensor vt = b.upload(v, T, s.kvHeads() * s.vDim())) {
            AttentionOutput out = b.attention(qt, kt, vt, s, true);
            try (Tensor c = out.context(); Tensor p = out.probabilities()) {
                return new float[][]{b.download(c), b.download(p)};
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

    /** On NVIDIA's 48 KiB: the wide tile at heads of 64, the main one at 128, neither past 128. */
    @Test
    void theWideTileRunsWhereItFits() {
        FlashTile main = new FlashTile(32, 32), wide = new FlashTile(32, 64);
        long nvidia = 48 * 1024;
        assertEquals(wide, FlashTile.choose(main, wide, nvidia, 1024, 64, 64));
        assertEquals(main, FlashTile.choose(main, wide, nvidia, 1024, 128, 128));
        assertEquals(main, FlashTile.choose(main, null, nvidia, 1024, 64, 64));
        assertEquals(main, FlashTile.choose(main, wide, 1 << 20, 64, 64, 64), "128 work-items do not fit a group of 64");
        assertNull(FlashTile.choose(main, wide, nvidia, 1024, 256, 256));
        assertNull(FlashTile.choose(main, wide, 8 * 1024, 1024, 128, 128));
    }

    @Test
    void refusesAWideTileItCannotBuild() {
        String before = System.getProperty(FlashTile.WIDE_PROPERTY);
        System.setProperty(FlashTile.WIDE_PROPERTY, "64x64");
        try {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, FlashTile::configuredWide);
            assertTrue(e.getMessage().contains(FlashTile.WIDE_PROPERTY), e.getMessage());
        } finally {
            restore(FlashTile.WIDE_PROPERTY, before);
        }
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

    private static String tileName(FlashTile t) {
        return t.queries() + "x" + t.keys();
    }

    /** The context of the device the backend opens by default, built with these tiles; the backend made of it closes it. */
    private static ClContext withTiles(String tile, String wide) {
        String before = System.getProperty(FlashTile.PROPERTY), beforeWide = System.getProperty(FlashTile.WIDE_PROPERTY);
        System.setProperty(FlashTile.PROPERTY, tile);
        System.setProperty(FlashTile.WIDE_PROPERTY, wide);
        try {
            OpenClRequirement.assumeAvailable();
            List<ClDevices.Found> all = ClDevices.all();
            return new ClContext(all.stream().filter(ClDevices.Found::gpu).findFirst().orElse(all.getFirst()));
        } finally {
            restore(FlashTile.PROPERTY, before);
            restore(FlashTile.WIDE_PROPERTY, beforeWide);
        }
    }

    private static void restore(String property, String value) {
        if (value == null) System.clearProperty(property);
        else System.setProperty(property, value);
    }
}
