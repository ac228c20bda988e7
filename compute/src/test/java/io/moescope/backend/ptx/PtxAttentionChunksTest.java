package io.moescope.backend.ptx;

import static io.moescope.backend.ptx.PtxTesting.assertClose;
import static io.moescope.backend.ptx.PtxTesting.random;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.moescope.backend.AttentionOutput;
import io.moescope.backend.AttentionPattern;
import io.moescope.backend.AttentionSpec;
import io.moescope.backend.Backend;
import io.moescope.backend.PatternAttentionReference;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * What only the ptx backend has, beside the contract every backend keeps: attention without
 * probabilities in chunks of queries when the scores would not fit its budget, and a GPU to describe.
 */
class PtxAttentionChunksTest {

    @ParameterizedTest
    @CsvSource({"1,4,2,24,16,0", "37,4,2,24,16,0", "37,4,4,40,24,5", "200,6,2,32,32,0", "130,8,8,64,64,0", "300,2,1,20,12,64"})
    void attentionByQueryChunks(int T, int H, int Hkv, int dqk, int dv, int window) {
        Random rnd = new Random(T * 13 + H + window);
        float[] q = random(rnd, T * H * dqk, 1f), k = random(rnd, T * Hkv * dqk, 1f), v = random(rnd, T * Hkv * dv, 1f);
        AttentionSpec s = new AttentionSpec(T, H, Hkv, dqk, dv, (float) (1 / Math.sqrt(dqk)), window);
        Backend ref = PtxTesting.reference(), gpu = PtxTesting.backend();
        AttentionOutput want = ref.attention(ref.upload(q, T, H, dqk), ref.upload(k, T, Hkv, dqk), ref.upload(v, T, Hkv, dv), s, false);
        long budget = AttentionOps.chunkBytes;
        try {
            AttentionOps.chunkBytes = 1;   // chunks of 128 queries
            AttentionOutput chunked = gpu.attention(gpu.upload(q, T, H, dqk), gpu.upload(k, T, Hkv, dqk), gpu.upload(v, T, Hkv, dv), s, false);
            assertClose("attention context by query chunks", ref.download(want.context()), gpu.download(chunked.context()), 2e-5);
        } finally {
            AttentionOps.chunkBytes = budget;
        }
    }

    @ParameterizedTest
    @CsvSource({"13,4,2", "40,2,1", "200,2,2"})
    void attentionWithPatternsByQueryChunks(int T, int H, int Hkv) {
        Backend gpu = PtxTesting.backend();
        for (AttentionPattern pattern : PatternAttentionReference.testPatterns(T)) {
            PatternAttentionReference r = PatternAttentionReference.random(pattern, T, H, Hkv, T * 31L + H + pattern.hashCode());
            long budget = AttentionOps.chunkBytes;
            try {
                AttentionOps.chunkBytes = 1;   // chunks of 128 queries
                AttentionOutput chunked = gpu.attention(gpu.upload(r.q, T, H, 12), gpu.upload(r.k, T, Hkv, 12), gpu.upload(r.v, T, Hkv, 20), r.s, false);
                r.assertForward(pattern + ", T " + T + ", by query chunks", gpu.download(chunked.context()), null);
            } finally {
                AttentionOps.chunkBytes = budget;
            }
        }
    }

    @Test
    void deviceIsAGpu() {
        PtxBackend b = PtxTesting.backend();
        assertEquals("ptx", b.name());
        assertTrue(!PtxBackend.devices().isEmpty());
        assertTrue(b.device().details().contains("GPU"), b.device().details());
    }
}
