package io.moescope.backend.ptx;

import static io.moescope.backend.ptx.PtxTesting.assertClose;
import static io.moescope.backend.ptx.PtxTesting.random;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.moescope.backend.AttentionOutput;
import io.moescope.backend.AttentionPattern;
import io.moescope.backend.AttentionSpec;
import io.moescope.backend.Backend;
import io.moescope.backend.PatternAttentionReference;
import io.moescope.backend.ExpertWeights;
import io.moescope.backend.Rotary;
import io.moescope.backend.RouterSpec;
import io.moescope.backend.Routing;
import io.moescope.backend.Tensor;
import io.moescope.tensor.FloatTensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Each forward operation on the GPU against the java backend, at awkward sizes and at sizes that take the fast paths. */
class PtxForwardOpsTest {

    /** Runs op on both backends and compares the float results within rel x max |reference|. */
    static double compare(String what, Function<Backend, Tensor> op, double rel) {
        Backend ref = PtxTesting.reference(), gpu = PtxTesting.backend();
        return assertClose(what, ref.download(op.apply(ref)), gpu.download(op.apply(gpu)), rel);
    }

    @Test
    void movesDataBothWays() {
        PtxBackend b = PtxTesting.backend();
        float[] v = random(new Random(1), 1001, 3f);
        assertArrayEquals(v, b.download(b.upload(v, 7, 143)));
        int[] ids = {3, -1, 7, Integer.MAX_VALUE};
        assertArrayEquals(ids, b.downloadInts(b.uploadInts(ids, 2, 2)));
        assertArrayEquals(new float[12], b.download(b.zeros(3, 4)));
        Tensor r = b.reshape(b.upload(v, 7, 143), 1001);
        assertArrayEquals(new int[]{1001}, r.shape());
        assertArrayEquals(v, b.download(r));
        assertArrayEquals(v, b.download(b.upload(FloatTensor.of(v, 11, 91))));
        assertEquals(0, b.download(b.zeros(0, 5)).length);
    }

    @Test
    void embedding() {
        Random rnd = new Random(2);
        float[] table = random(rnd, 50 * 33, 1f);
        int[] ids = {0, 49, 3, 3, 17, 0, 48, 22, 5, 6, 7, 8, 9, 10, 11, 12, 13};
        compare("embedding", b -> b.embedding(b.upload(table, 50, 33), b.uploadInts(ids, ids.length)), 0);
    }

    @ParameterizedTest
    @CsvSource({"1,1,1", "37,45,70", "5,3,130", "200,64,48", "300,256,520", "129,130,131", "2048,512,512", "64,1000,8"})
    void linear(int T, int K, int N) {
        Random rnd = new Random(T * 31 + K * 7 + N);
        float[] x = random(rnd, T * K, 1f), w = random(rnd, N * K, 0.2f), bias = random(rnd, N, 1f);
        compare("linear " + T + "x" + K + "x" + N, b -> b.linear(b.upload(x, T, K), b.upload(w, N, K), null), 2e-5);
        compare("linear+bias " + T + "x" + K + "x" + N, b -> b.linear(b.upload(x, T, K), b.upload(w, N, K), b.upload(bias, N)), 2e-5);
    }

    @Test
    void linearOnThreeDimensionalInput() {
        Random rnd = new Random(3);
        float[] x = random(rnd, 6 * 4 * 10, 1f), w = random(rnd, 9 * 10, 1f);
        compare("linear [6,4,10]", b -> b.linear(b.upload(x, 6, 4, 10), b.upload(w, 9, 10), null), 2e-5);
    }

    @ParameterizedTest
    @CsvSource({"13,70,70", "5,64,16", "40,512,512", "3,7,7"})
    void rmsNorm(int rows, int width, int groups) {
        Random rnd = new Random(rows + width);
        float[] x = random(rnd, rows * width, 2f), w = random(rnd, groups, 1f);
        compare("rmsNorm", b -> b.rmsNorm(b.upload(x, rows, width), b.upload(w, groups), 1e-6f), 1e-6);
    }

    @ParameterizedTest
    @CsvSource({"false,1.0,0", "true,1.3,0", "false,1.0,8", "true,0.7,8"})
    void rope(boolean interleaved, float factor, int offset) {
        Random rnd = new Random(4);
        int T = 29, heads = 3, dim = 16, stride = offset + dim + 4;
        float[] inv = new float[dim / 2];
        for (int i = 0; i < inv.length; i++) inv[i] = (float) Math.pow(10000, -2.0 * i / dim);
        Rotary r = new Rotary(inv, factor, interleaved);
        float[] x = random(rnd, T * heads * stride, 1f);
        compare("rope", b -> {
            Tensor t = b.upload(x, T, heads * stride);
            b.rope(t, heads, stride, offset, r);
            return t;
        }, 1e-6);
    }

    @ParameterizedTest
    @CsvSource({"1,4,2,24,16,0", "37,4,2,24,16,0", "37,4,4,40,24,5", "200,6,2,32,32,0", "130,8,8,64,64,0", "300,2,1,20,12,64"})
    void attention(int T, int H, int Hkv, int dqk, int dv, int window) {
        Random rnd = new Random(T * 13 + H + window);
        float[] q = random(rnd, T * H * dqk, 1f), k = random(rnd, T * Hkv * dqk, 1f), v = random(rnd, T * Hkv * dv, 1f);
        AttentionSpec s = new AttentionSpec(T, H, Hkv, dqk, dv, (float) (1 / Math.sqrt(dqk)), window);
        Backend ref = PtxTesting.reference(), gpu = PtxTesting.backend();
        AttentionOutput want = ref.attention(ref.upload(q, T, H, dqk), ref.upload(k, T, Hkv, dqk), ref.upload(v, T, Hkv, dv), s, true);
        AttentionOutput got = gpu.attention(gpu.upload(q, T, H, dqk), gpu.upload(k, T, Hkv, dqk), gpu.upload(v, T, Hkv, dv), s, true);
        assertClose("attention context", ref.download(want.context()), gpu.download(got.context()), 2e-5);
        PtxTesting.assertWithin("attention probabilities", ref.download(want.probabilities()), gpu.download(got.probabilities()), 2e-6);
        AttentionOutput lean = gpu.attention(gpu.upload(q, T, H, dqk), gpu.upload(k, T, Hkv, dqk), gpu.upload(v, T, Hkv, dv), s, false);
        assertNull(lean.probabilities());
        assertClose("attention context without probabilities", ref.download(want.context()), gpu.download(lean.context()), 2e-5);
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
    void attentionWithPatterns(int T, int H, int Hkv) {
        Backend gpu = PtxTesting.backend();
        for (AttentionPattern pattern : PatternAttentionReference.testPatterns(T)) {
            PatternAttentionReference r = PatternAttentionReference.random(pattern, T, H, Hkv, T * 31L + H + pattern.hashCode());
            String what = pattern + ", T " + T;
            AttentionOutput got = gpu.attention(gpu.upload(r.q, T, H, 12), gpu.upload(r.k, T, Hkv, 12), gpu.upload(r.v, T, Hkv, 20), r.s, true);
            r.assertForward(what, gpu.download(got.context()), gpu.download(got.probabilities()));
            AttentionOutput lean = gpu.attention(gpu.upload(r.q, T, H, 12), gpu.upload(r.k, T, Hkv, 12), gpu.upload(r.v, T, Hkv, 20), r.s, false);
            assertNull(lean.probabilities());
            r.assertForward(what + ", without probabilities", gpu.download(lean.context()), null);
            long budget = AttentionOps.chunkBytes;
            try {
                AttentionOps.chunkBytes = 1;   // chunks of 128 queries
                AttentionOutput chunked = gpu.attention(gpu.upload(r.q, T, H, 12), gpu.upload(r.k, T, Hkv, 12), gpu.upload(r.v, T, Hkv, 20), r.s, false);
                r.assertForward(what + ", by query chunks", gpu.download(chunked.context()), null);
            } finally {
                AttentionOps.chunkBytes = budget;
            }
        }
    }

    @Test
    void elementwise() {
        Random rnd = new Random(5);
        int R = 31, D = 45;
        float[] a = random(rnd, R * D, 4f), c = random(rnd, R * D, 2f), g = random(rnd, R, 3f);
        compare("swiglu", b -> b.swiglu(b.upload(a, R, D), b.upload(c, R, D)), 1e-6);
        compare("add", b -> b.add(b.upload(a, R, D), b.upload(c, R, D)), 0);
        compare("addInPlace", b -> {
            Tensor t = b.upload(a, R, D);
            b.addInPlace(t, b.upload(c, R, D));
            return t;
        }, 0);
        compare("clamp", b -> {
            Tensor t = b.upload(a, R, D);
            b.clamp(t, 1.5f);
            return t;
        }, 0);
        compare("scaleRowsBySigmoid", b -> {
            Tensor t = b.upload(a, R, D);
            b.scaleRowsBySigmoid(t, b.upload(g, R, 1));
            return t;
        }, 1e-6);
    }

    @ParameterizedTest
    @CsvSource({"1", "3"})
    void copyColumns(int divisor) {
        Random rnd = new Random(6);
        int rows = 14, srcRows = (rows + divisor - 1) / divisor;
        float[] src = random(rnd, srcRows * 20, 1f), dst = random(rnd, rows * 17, 1f);
        compare("copyColumns", b -> {
            Tensor d = b.upload(dst, rows, 17);
            b.copyColumns(b.upload(src, srcRows, 20), 5, divisor, d, 3, rows, 11);
            return d;
        }, 0);
    }

    static List<RouterSpec> routerSpecs() {
        return List.of(
                new RouterSpec(RouterSpec.Rule.SOFTMAX, 8, 2, 1, 1, true, 1f),
                new RouterSpec(RouterSpec.Rule.SOFTMAX, 60, 4, 1, 1, false, 1f),
                new RouterSpec(RouterSpec.Rule.SOFTMAX_GROUP_MAX, 64, 6, 8, 3, false, 16f),
                new RouterSpec(RouterSpec.Rule.SIGMOID_GROUP_TOP2, 64, 8, 8, 4, true, 2.5f),
                new RouterSpec(RouterSpec.Rule.SIGMOID_GROUP_TOP2, 16, 2, 1, 1, false, 1f));
    }

    @Test
    void routeFollowsTheReferenceRule() {
        for (RouterSpec spec : routerSpecs()) {
            Random rnd = new Random(spec.experts() * 7L + spec.k());
            int T = 77, E = spec.experts();
            float[] logits = random(rnd, T * E, 3f);
            float[] bias = spec.rule() == RouterSpec.Rule.SIGMOID_GROUP_TOP2 ? random(rnd, E, 0.5f) : null;
            Backend ref = PtxTesting.reference(), gpu = PtxTesting.backend();
            Routing want = ref.route(ref.upload(logits, T, E), spec, bias == null ? null : ref.upload(bias, E));
            Routing got = gpu.route(gpu.upload(logits, T, E), spec, bias == null ? null : gpu.upload(bias, E));
            assertArrayEquals(ref.downloadInts(want.index()), gpu.downloadInts(got.index()), "top-k of " + spec);
            assertClose("weights of " + spec, ref.download(want.weight()), gpu.download(got.weight()), 1e-6);
        }
    }

    @Test
    void routeBreaksTiesTowardsTheLowerIndex() {
        RouterSpec spec = new RouterSpec(RouterSpec.Rule.SOFTMAX, 40, 3, 1, 1, true, 1f);
        float[] logits = new float[2 * 40];   // all equal, then two equal maxima
        logits[40 + 33] = 2f;
        logits[40 + 7] = 2f;
        PtxBackend gpu = PtxTesting.backend();
        assertArrayEquals(new int[]{0, 1, 2, 7, 33, 0}, gpu.downloadInts(gpu.route(gpu.upload(logits, 2, 40), spec, null).index()));
    }

    record Experts(ExpertWeights weights, Tensor x, Routing routing) {}

    static Experts experts(Backend b, long seed, int T, int D, int I, RouterSpec spec, boolean skewed) {
        Random rnd = new Random(seed);
        int E = spec.experts();
        List<Tensor> g = new ArrayList<>(), u = new ArrayList<>(), d = new ArrayList<>();
        for (int e = 0; e < E; e++) {
            g.add(b.upload(random(rnd, I * D, 0.3f), I, D));
            u.add(b.upload(random(rnd, I * D, 0.3f), I, D));
            d.add(b.upload(random(rnd, D * I, 0.3f), D, I));
        }
        float[] logits = random(rnd, T * E, 2f);
        // skewed: expert 1 and the last never win, so some experts get no token at all
        if (skewed) for (int t = 0; t < T; t++) {
            logits[t * E + 1] -= 50;
            logits[t * E + E - 1] -= 50;
        }
        float[] x = random(rnd, T * D, 1f);
        return new Experts(new ExpertWeights(g, u, d), b.upload(x, T, D), b.route(b.upload(logits, T, E), spec, null));
    }

    @ParameterizedTest
    @CsvSource({"50,40,24,6,2,false", "33,12,20,9,3,true", "300,128,256,8,2,false", "1,16,16,4,2,false", "600,64,96,16,2,true"})
    void experts(int T, int D, int I, int E, int k, boolean skewed) {
        RouterSpec spec = new RouterSpec(RouterSpec.Rule.SOFTMAX, E, k, 1, 1, true, 1f);
        compare("experts", b -> {
            Experts ex = experts(b, T + D, T, D, I, spec, skewed);
            return b.experts(ex.x(), ex.routing(), ex.weights());
        }, 2e-5);
    }

    @ParameterizedTest
    @CsvSource({"19,1000", "2,7", "64,8192"})
    void nextTokenLoss(int T, int V) {
        Random rnd = new Random(T + V);
        float[] logits = random(rnd, T * V, 5f);
        int[] ids = new int[T];
        for (int i = 0; i < T; i++) ids[i] = rnd.nextInt(V);
        compare("nextTokenLoss", b -> b.nextTokenLoss(b.upload(logits, T, V), b.uploadInts(ids, T)), 1e-6);
    }

    @Test
    void nextTokenLossOfOneTokenIsNaN() {
        PtxBackend b = PtxTesting.backend();
        float[] l = b.download(b.nextTokenLoss(b.upload(new float[]{1, 2, 3}, 1, 3), b.uploadInts(new int[]{2}, 1)));
        assertTrue(Float.isNaN(l[0]));
    }

    @Test
    void deviceIsDescribed() {
        PtxBackend b = PtxTesting.backend();
        assertEquals("ptx", b.name());
        assertTrue(b.device().memoryBytes() > 0 && b.device().computeUnits() > 0, b.device().toString());
        assertTrue(!PtxBackend.devices().isEmpty());
        assertTrue(b.device().details().contains("GPU"), b.device().details());
    }
}
