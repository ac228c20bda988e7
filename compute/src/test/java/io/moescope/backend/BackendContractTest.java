package io.moescope.backend;

import static io.moescope.backend.ContractBackends.random;
import static io.moescope.backend.ContractBackends.tolerance;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.moescope.tensor.FloatTensor;
import io.moescope.testing.Closeness;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What every backend must do, operation by operation, against the java backend: at awkward sizes
 * and at sizes that take the GPU kernels' fast paths. Accumulating outputs start from random values,
 * so that "add into" is checked as well as the gradient. Runs on each backend this machine has
 * ({@link ContractBackends}); what only one backend has (its kernel paths) is tested beside it.
 */
@ParameterizedClass
@ValueSource(strings = {"java", "opencl", "ptx"})
class BackendContractTest {
    @Parameter
    String name;

    private Backend b() {
        return ContractBackends.open(name);
    }

    private double tol(double opencl, double ptx) {
        return tolerance(name, opencl, ptx);
    }

    private void compare(String what, Function<Backend, Tensor> op, double rel) {
        ContractBackends.compare(b(), what, x -> new Tensor[]{op.apply(x)}, rel);
    }

    private void compareAll(String what, Function<Backend, Tensor[]> op, double rel) {
        ContractBackends.compare(b(), what, op, rel);
    }

    // ---- moving data -------------------------------------------------------------------------

    @Test
    void movesDataBothWays() {
        Backend b = b();
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
    void deviceIsDescribed() {
        Backend b = b();
        assertEquals(name, b.name());
        assertTrue(b.device().memoryBytes() > 0 && b.device().computeUnits() > 0, b.device().toString());
    }

    // ---- forward -----------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(ints = {1, 7, 33})
    void embedding(int T) {
        Random rnd = new Random(T);
        float[] table = random(rnd, 11 * 37, 1f);
        int[] ids = new int[T];
        for (int i = 0; i < T; i++) ids[i] = rnd.nextInt(11);
        compare("embedding", b -> b.embedding(b.upload(table, 11, 37), b.uploadInts(ids, T)), 0);
    }

    @Test
    void embeddingOfRepeatedAndLastRows() {
        float[] table = random(new Random(2), 50 * 33, 1f);
        int[] ids = {0, 49, 3, 3, 17, 0, 48, 22, 5, 6, 7, 8, 9, 10, 11, 12, 13};
        compare("embedding", b -> b.embedding(b.upload(table, 50, 33), b.uploadInts(ids, ids.length)), 0);
    }

    @ParameterizedTest
    @CsvSource({"1,1,1", "1,70,130", "7,33,65", "8,300,3", "9,33,65", "33,70,17", "64,64,64", "65,129,130", "3,16,1",
            "37,45,70", "5,3,130", "200,64,48", "300,256,520", "129,130,131", "2048,512,512", "64,1000,8"})
    void linear(int T, int K, int N) {
        Random rnd = new Random(T * 31 + K * 7 + N);
        float[] x = random(rnd, T * K, 1f), w = random(rnd, N * K, 0.2f), bias = random(rnd, N, 1f);
        double rel = tol(1e-5, 2e-5);
        compare("linear " + T + "x" + K + "x" + N, b -> b.linear(b.upload(x, T, K), b.upload(w, N, K), null), rel);
        compare("linear+bias " + T + "x" + K + "x" + N, b -> b.linear(b.upload(x, T, K), b.upload(w, N, K), b.upload(bias, N)), rel);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 7, 33})
    void linearOfMappedWeightAndThreeDimensionalInput(int T) {
        Random rnd = new Random(T);
        float[] x = random(rnd, T * 3 * 10, 1f);
        FloatTensor mapped = FloatTensor.of(random(rnd, 5 * 10, 1f), 5, 10);
        Backend ref = ContractBackends.reference(), b = b();
        Tensor want = ref.linear(ref.upload(x, T, 3, 10), ref.upload(mapped), null);
        Tensor got = b.linear(b.upload(x, T, 3, 10), b.upload(mapped), null);
        assertArrayEquals(want.shape(), got.shape());
        Closeness.assertClose("linear", ref.download(want), b.download(got), tol(1e-5, 2e-5));
    }

    @ParameterizedTest
    @CsvSource({"1,48,16", "7,48,16", "7,48,48", "33,200,200", "5,13,13", "13,70,70", "5,64,16", "40,512,512", "3,7,7"})
    void rmsNorm(int rows, int width, int groups) {
        Random rnd = new Random(rows + width);
        float[] x = random(rnd, rows * width, 3f), w = random(rnd, groups, 1f);
        compare("rmsNorm", b -> b.rmsNorm(b.upload(x, rows, width), b.upload(w, groups), 1e-6f), tol(1e-5, 1e-6));
    }

    /** Rotary tables over dim values of each head's stride, from offset; interleaved or split halves. */
    private static Rotary rotary(int dim, float factor, boolean interleaved) {
        float[] inv = new float[dim / 2];
        for (int i = 0; i < inv.length; i++) inv[i] = (float) Math.pow(10000, -2.0 * i / dim);
        return new Rotary(inv, factor, interleaved);
    }

    /** rope, and ropeBackward (the rotation by the negative angles) on the same values. */
    // 40 heads of 64 pairs are more than OpenCL's kernel stages at once: heads go in chunks.
    @ParameterizedTest
    @CsvSource({"1,3,10,14,4,1.2,false", "7,3,10,14,4,1.2,false", "33,3,10,14,4,1.2,false", "1,3,10,14,4,1.2,true",
            "7,3,10,14,4,1.2,true", "33,3,10,14,4,1.2,true", "29,3,16,20,0,1.0,false", "29,3,16,20,0,1.3,true",
            "29,3,16,28,8,1.0,false", "29,3,16,28,8,0.7,true", "3,40,128,130,2,1.0,false", "3,40,128,130,2,1.0,true",
            "21,2,12,14,0,1.0,false", "21,2,12,22,8,1.3,true"})
    void ropeAndItsAdjoint(int T, int heads, int dim, int stride, int offset, float factor, boolean interleaved) {
        Rotary r = rotary(dim, factor, interleaved);
        float[] x = random(new Random(T + heads), T * heads * stride, 1f);
        for (boolean backward : new boolean[]{false, true}) {
            compare(backward ? "ropeBackward" : "rope", b -> {
                Tensor t = b.upload(x, T, heads * stride);
                if (backward) b.ropeBackward(t, heads, stride, offset, r);
                else b.rope(t, heads, stride, offset, r);
                return t;
            }, tol(1e-5, 1e-6));
        }
    }

    @ParameterizedTest
    @CsvSource({"1,4,4,24,16,0", "7,4,2,24,16,0", "33,4,1,24,16,0", "33,4,2,24,16,5", "130,2,1,24,16,0", "130,2,2,24,16,40",
            "7,2,2,24,136,0", "1,2,1,24,136,0", "65,4,1,24,136,0", "33,4,2,24,136,5", "100,2,2,24,136,17",
            "37,4,2,24,16,0", "37,4,4,40,24,5", "200,6,2,32,32,0", "130,8,8,64,64,0", "300,2,1,20,12,64"})
    void attention(int T, int H, int Hkv, int dqk, int dv, int window) {
        Random rnd = new Random(T * 13 + H + window + dv);
        float[] q = random(rnd, T * H * dqk, 1f), k = random(rnd, T * Hkv * dqk, 1f), v = random(rnd, T * Hkv * dv, 1f);
        AttentionSpec s = new AttentionSpec(T, H, Hkv, dqk, dv, (float) (1 / Math.sqrt(dqk)), window);
        Backend ref = ContractBackends.reference(), b = b();
        AttentionOutput want = ref.attention(ref.upload(q, T, H, dqk), ref.upload(k, T, Hkv, dqk), ref.upload(v, T, Hkv, dv), s, true);
        AttentionOutput got = b.attention(b.upload(q, T, H, dqk), b.upload(k, T, Hkv, dqk), b.upload(v, T, Hkv, dv), s, true);
        Closeness.assertClose("attention context", ref.download(want.context()), b.download(got.context()), tol(1e-5, 2e-5));
        float[] probabilities = b.download(got.probabilities());
        Closeness.assertWithin("attention probabilities", ref.download(want.probabilities()), probabilities, tol(1e-6, 2e-6));
        for (int h = 0; h < H; h++) {
            for (int i = 0; i < T; i++) {
                for (int j = 0; j < T; j++) {
                    if (!s.visible(i, j)) assertEquals(0f, probabilities[(h * T + i) * T + j], "masked probability");
                }
            }
        }
        AttentionOutput lean = b.attention(b.upload(q, T, H, dqk), b.upload(k, T, Hkv, dqk), b.upload(v, T, Hkv, dv), s, false);
        assertNull(lean.probabilities());
        Closeness.assertClose("attention context without probabilities", ref.download(want.context()), b.download(lean.context()),
                tol(1e-5, 2e-5));
    }

    @ParameterizedTest
    @CsvSource({"1,2,1", "13,4,2", "40,2,2", "40,4,1", "40,2,1", "200,2,2"})
    void attentionWithPatterns(int T, int H, int Hkv) {
        Backend b = b();
        for (AttentionPattern pattern : PatternAttentionReference.testPatterns(T)) {
            PatternAttentionReference r = PatternAttentionReference.random(pattern, T, H, Hkv, T * 31L + H + pattern.hashCode());
            for (boolean keep : new boolean[]{true, false}) {
                AttentionOutput got = b.attention(b.upload(r.q, T, H, 12), b.upload(r.k, T, Hkv, 12), b.upload(r.v, T, Hkv, 20), r.s, keep);
                assertEquals(keep, got.probabilities() != null);
                r.assertForward(pattern + ", T " + T + ", keep " + keep, b.download(got.context()),
                        keep ? b.download(got.probabilities()) : null);
            }
        }
    }

    @ParameterizedTest
    @CsvSource({"1,19", "7,19", "33,19", "31,45"})
    void elementwise(int R, int D) {
        Random rnd = new Random(R * D);
        float[] a = random(rnd, R * D, 4f), c = random(rnd, R * D, 2f), g = random(rnd, R, 3f);
        compare("swiglu", b -> b.swiglu(b.upload(a, R, D), b.upload(c, R, D)), tol(1e-5, 1e-6));
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
        }, tol(1e-5, 1e-6));
    }

    /** copyColumns, and copyColumnsBackward adding into a random dSrc. */
    @ParameterizedTest
    @CsvSource({"1,1,13,11,5,2,7", "7,1,13,11,5,2,7", "33,1,13,11,5,2,7", "7,3,13,11,5,2,7", "33,4,13,11,5,2,7",
            "14,1,20,17,5,3,11", "14,3,20,17,5,3,11", "18,1,20,17,5,3,11", "18,4,20,17,5,3,11"})
    void copyColumnsAndItsAdjoint(int rows, int divisor, int srcCols, int dstCols, int srcCol, int dstCol, int width) {
        Random rnd = new Random(rows * 10 + divisor);
        int srcRows = (rows + divisor - 1) / divisor;
        float[] src = random(rnd, srcRows * srcCols, 1f), dst = random(rnd, rows * dstCols, 1f);
        compare("copyColumns", b -> {
            Tensor d = b.upload(dst, rows, dstCols);
            b.copyColumns(b.upload(src, srcRows, srcCols), srcCol, divisor, d, dstCol, rows, width);
            return d;
        }, 0);
        compare("copyColumnsBackward", b -> {
            Tensor s = b.upload(src, srcRows, srcCols);
            b.copyColumnsBackward(b.upload(dst, rows, dstCols), dstCol, s, srcCol, divisor, rows, width);
            return s;
        }, tol(1e-5, 1e-6));
    }

    static List<RouterSpec> routerSpecs() {
        return List.of(
                new RouterSpec(RouterSpec.Rule.SOFTMAX, 8, 2, 1, 1, false, 1f),
                new RouterSpec(RouterSpec.Rule.SOFTMAX, 8, 2, 1, 1, true, 1f),
                new RouterSpec(RouterSpec.Rule.SOFTMAX, 60, 4, 1, 1, true, 1f),
                new RouterSpec(RouterSpec.Rule.SOFTMAX, 60, 4, 1, 1, false, 1f),
                new RouterSpec(RouterSpec.Rule.SOFTMAX_GROUP_MAX, 16, 3, 4, 2, false, 1.5f),
                new RouterSpec(RouterSpec.Rule.SOFTMAX_GROUP_MAX, 64, 6, 8, 3, false, 16f),
                new RouterSpec(RouterSpec.Rule.SIGMOID_GROUP_TOP2, 16, 4, 4, 2, true, 2.5f),
                new RouterSpec(RouterSpec.Rule.SIGMOID_GROUP_TOP2, 64, 8, 8, 4, true, 2.5f),
                new RouterSpec(RouterSpec.Rule.SIGMOID_GROUP_TOP2, 12, 3, 3, 1, false, 1f),
                new RouterSpec(RouterSpec.Rule.SIGMOID_GROUP_TOP2, 16, 2, 1, 1, false, 1f));
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 7, 33, 77})
    void route(int T) {
        Backend ref = ContractBackends.reference(), b = b();
        for (RouterSpec spec : routerSpecs()) {
            for (boolean ties : new boolean[]{false, true}) {
                for (boolean withBias : new boolean[]{false, true}) {
                    if (withBias && spec.rule() != RouterSpec.Rule.SIGMOID_GROUP_TOP2) continue;
                    Random rnd = new Random(T * 31 + spec.experts());
                    int E = spec.experts();
                    float[] l = random(rnd, T * E, 3f);
                    // Few distinct values make ties, between experts and between groups.
                    if (ties) for (int i = 0; i < l.length; i++) l[i] = Math.round(l[i]) * 0.5f;
                    float[] bias = random(rnd, E, 0.3f);
                    String what = spec + (ties ? " with ties" : "") + (withBias ? " with bias" : "");
                    Routing want = ref.route(ref.upload(l, T, E), spec, withBias ? ref.upload(bias, E) : null);
                    Routing got = b.route(b.upload(l, T, E), spec, withBias ? b.upload(bias, E) : null);
                    assertArrayEquals(ref.downloadInts(want.index()), b.downloadInts(got.index()), what + ": experts");
                    float[] w = ref.download(want.weight()), gw = b.download(got.weight());
                    Closeness.assertWithin(what + ": weights", w, gw, tol(1e-6, 1e-6));
                    Closeness.assertClose(what + ": weights", w, gw, tol(1e-6, 1e-6));
                }
            }
        }
    }

    @Test
    void routeBreaksTiesTowardsTheLowerIndex() {
        RouterSpec spec = new RouterSpec(RouterSpec.Rule.SOFTMAX, 40, 3, 1, 1, true, 1f);
        float[] logits = new float[2 * 40];   // all equal, then two equal maxima
        logits[40 + 33] = 2f;
        logits[40 + 7] = 2f;
        Backend b = b();
        assertArrayEquals(new int[]{0, 1, 2, 7, 33, 0}, b.downloadInts(b.route(b.upload(logits, 2, 40), spec, null).index()));
    }

    record Experts(ExpertWeights weights, Tensor x, Routing routing) {}

    /** Random SwiGLU experts [I, D], [I, D], [D, I], inputs and their routing; skewed: two experts get no token. */
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
        if (skewed) for (int t = 0; t < T; t++) {
            logits[t * E + 1] -= 50;
            logits[t * E + E - 1] -= 50;
        }
        float[] x = random(rnd, T * D, 1f);
        return new Experts(new ExpertWeights(g, u, d), b.upload(x, T, D), b.route(b.upload(logits, T, E), spec, null));
    }

    @ParameterizedTest
    @CsvSource({"1,20,12,6,2,false", "7,20,12,6,2,false", "33,20,12,6,2,false", "33,20,12,16,4,false", "40,20,12,20,4,false",
            "70,20,12,5,1,false", "9,20,12,3,3,false", "50,40,24,6,2,false", "33,12,20,9,3,true", "300,128,256,8,2,false",
            "1,16,16,4,2,false", "600,64,96,16,2,true"})
    void experts(int T, int D, int I, int E, int k, boolean skewed) {
        RouterSpec spec = new RouterSpec(RouterSpec.Rule.SOFTMAX, E, k, 1, 1, true, 1f);
        compare("experts", b -> {
            Experts ex = experts(b, T + D, T, D, I, spec, skewed);
            return b.experts(ex.x(), ex.routing(), ex.weights());
        }, tol(1e-5, 2e-5));
    }

    @ParameterizedTest
    @CsvSource({"1,300", "2,300", "7,300", "33,300", "300,300", "19,1000", "2,7", "64,8192"})   // 300 rows: more than OpenCL's work-group for the mean
    void nextTokenLoss(int T, int V) {
        Random rnd = new Random(T + V);
        float[] logits = random(rnd, T * V, 5f);
        int[] ids = new int[T];
        for (int i = 0; i < T; i++) ids[i] = rnd.nextInt(V);
        Backend ref = ContractBackends.reference(), b = b();
        float want = ref.download(ref.nextTokenLoss(ref.upload(logits, T, V), ref.uploadInts(ids, T)))[0];
        float got = b.download(b.nextTokenLoss(b.upload(logits, T, V), b.uploadInts(ids, T)))[0];
        if (T < 2) {
            assertTrue(Float.isNaN(want) && Float.isNaN(got), "NaN without targets: " + want + ", " + got);
        } else {
            assertEquals(want, got, tol(1e-6, 1e-6) * Math.abs(want));
        }
    }

    // ---- backward ----------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(ints = {1, 7, 33})
    void embeddingBackwardAddsRepeatedIds(int T) {
        Random rnd = new Random(T);
        int V = 9, D = 37;
        int[] ids = new int[T];
        for (int i = 0; i < T; i++) ids[i] = rnd.nextInt(4);   // few ids: many repeats
        float[] dOut = random(rnd, T * D, 1f), table = random(rnd, V * D, 1f);
        embeddingBackward(ids, V, D, dOut, table, tol(1e-5, 1e-6));
    }

    @Test
    void embeddingBackwardOfGivenIds() {
        Random rnd = new Random(1);
        int[] ids = {3, 7, 3, 3, 19, 0, 7};
        embeddingBackward(ids, 20, 33, random(rnd, ids.length * 33, 1f), random(rnd, 20 * 33, 1f), tol(1e-5, 1e-6));
    }

    private void embeddingBackward(int[] ids, int V, int D, float[] dOut, float[] table, double rel) {
        compare("embeddingBackward", b -> {
            Tensor dT = b.upload(table, V, D);
            b.embeddingBackward(b.upload(dOut, ids.length, D), b.uploadInts(ids, ids.length), dT);
            return dT;
        }, rel);
    }

    @ParameterizedTest
    @CsvSource({"1,1,1", "7,33,65", "33,70,17", "65,129,130", "2,16,3", "37,45,70", "1,3,5", "300,256,520", "2048,64,48", "64,8,1000"})
    void linearBackward(int T, int K, int N) {
        Random rnd = new Random(T + K + N);
        float[] dy = random(rnd, T * N, 1f), x = random(rnd, T * K, 1f), w = random(rnd, N * K, 0.3f);
        float[] dW0 = random(rnd, N * K, 1f), db0 = random(rnd, N, 1f);
        double rel = tol(1e-5, 2e-5);
        compareAll("linearBackward " + T + "x" + K + "x" + N, b -> {
            Tensor dW = b.upload(dW0, N, K), dB = b.upload(db0, N);
            Tensor dx = b.linearBackward(b.upload(dy, T, N), b.upload(x, T, K), b.upload(w, N, K), dW, dB);
            return new Tensor[]{dx, dW, dB};
        }, rel);
        compare("linearBackward without weight gradients",
                b -> b.linearBackward(b.upload(dy, T, N), b.upload(x, T, K), b.upload(w, N, K), null, null), rel);
    }

    @ParameterizedTest
    @CsvSource({"1,48,16", "7,48,16", "7,48,48", "33,200,200", "5,13,13", "13,70,70", "5,64,16", "300,512,512"})
    void rmsNormBackward(int rows, int width, int groups) {
        Random rnd = new Random(rows * width);
        float[] dy = random(rnd, rows * width, 1f), x = random(rnd, rows * width, 2f), w = random(rnd, groups, 1f);
        float[] dW0 = random(rnd, groups, 1f);
        compareAll("rmsNormBackward", b -> {
            Tensor dW = b.upload(dW0, groups);
            Tensor dx = b.rmsNormBackward(b.upload(dy, rows, width), b.upload(x, rows, width), b.upload(w, groups), 1e-6f, dW);
            return new Tensor[]{dx, dW};
        }, 1e-5);
    }

    @ParameterizedTest
    @CsvSource({"1,4,4,24,16,0", "7,4,2,24,16,0", "33,4,1,24,16,0", "33,4,2,24,16,5", "130,2,1,24,16,0", "70,2,2,24,16,40",
            "1,2,1,8,8,0", "37,4,2,24,16,0", "37,3,3,40,24,6", "200,8,2,64,64,0", "150,4,4,16,32,0"})
    void attentionBackward(int T, int H, int Hkv, int dqk, int dv, int window) {
        ContractBackends.attentionBackward(name, b(), T, H, Hkv, dqk, dv, window);
    }

    @ParameterizedTest
    @CsvSource({"13,4,2", "40,2,1", "150,2,2"})
    void attentionBackwardWithPatterns(int T, int H, int Hkv) {
        Backend b = b();
        for (AttentionPattern pattern : PatternAttentionReference.testPatterns(T)) {
            PatternAttentionReference r = PatternAttentionReference.random(pattern, T, H, Hkv, T * 17L + H + pattern.hashCode());
            for (boolean given : new boolean[]{true, false}) {
                Tensor qt = b.upload(r.q, T, H, 12), kt = b.upload(r.k, T, Hkv, 12), vt = b.upload(r.v, T, Hkv, 20);
                Tensor p = given ? b.attention(qt, kt, vt, r.s, true).probabilities() : null;
                AttentionGradients g = b.attentionBackward(b.upload(r.dContext, T, H * 20), qt, kt, vt, p, r.s);
                r.assertGradients(pattern + ", T " + T + ", probabilities given " + given, b.download(g.dq()), b.download(g.dk()),
                        b.download(g.dv()));
            }
        }
    }

    @ParameterizedTest
    @CsvSource({"1,19", "7,19", "33,19", "23,41"})
    void elementwiseBackward(int R, int D) {
        Random rnd = new Random(R + D);
        float[] d = random(rnd, R * D, 1f), a = random(rnd, R * D, 4f), c = random(rnd, R * D, 2f), g = random(rnd, R, 3f);
        compareAll("swigluBackward", b -> b.swigluBackward(b.upload(d, R, D), b.upload(a, R, D), b.upload(c, R, D)), 1e-5);
        compareAll("scaleRowsBySigmoidBackward", b -> b.scaleRowsBySigmoidBackward(b.upload(d, R, D), b.upload(a, R, D), b.upload(g, R, 1)),
                1e-5);
        // Clamped values sit exactly at the limit, where no gradient passes.
        compare("clampBackward", b -> {
            Tensor x = b.upload(a, R, D);
            b.clamp(x, 1.5f);
            Tensor dx = b.upload(d, R, D);
            b.clampBackward(dx, x, 1.5f);
            return dx;
        }, 0);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 7, 33, 45})
    void routeBackward(int T) {
        for (RouterSpec spec : routerSpecs()) {
            Random rnd = new Random(T * 31 + spec.experts() + spec.k());
            int E = spec.experts(), k = spec.k();
            float[] logits = random(rnd, T * E, 3f), dW = random(rnd, T * k, 1f);
            float[] bias = spec.rule() == RouterSpec.Rule.SIGMOID_GROUP_TOP2 ? random(rnd, E, 0.5f) : null;
            compare("routeBackward " + spec, b -> {
                Tensor l = b.upload(logits, T, E);
                Tensor bt = bias == null ? null : b.upload(bias, E);
                Routing r = b.route(l, spec, bt);
                return b.routeBackward(b.upload(dW, T, k), l, r, bt);
            }, 1e-5);
        }
    }

    @ParameterizedTest
    @CsvSource({"1,20,12,6,2,false", "7,20,12,6,2,false", "33,20,12,6,2,false", "33,20,12,16,4,false", "40,20,12,20,4,false",
            "70,20,12,5,1,false", "9,20,12,3,3,false", "50,40,24,6,2,false", "33,12,20,9,3,true", "300,128,256,8,2,false",
            "600,64,96,16,2,true"})
    void expertsBackward(int T, int D, int I, int E, int k, boolean skewed) {
        RouterSpec spec = new RouterSpec(RouterSpec.Rule.SOFTMAX, E, k, 1, 1, true, 1f);
        float[] dOut = random(new Random(T), T * D, 1f);
        double rel = tol(1e-5, 5e-5);
        compareAll("expertsBackward", b -> {
            Experts ex = experts(b, T + D, T, D, I, spec, skewed);
            Random rnd = new Random(99);
            List<Tensor> g = new ArrayList<>(), u = new ArrayList<>(), dn = new ArrayList<>();
            for (int e = 0; e < E; e++) {
                g.add(b.upload(random(rnd, I * D, 1f), I, D));
                u.add(b.upload(random(rnd, I * D, 1f), I, D));
                dn.add(b.upload(random(rnd, D * I, 1f), D, I));
            }
            Tensor[] r = b.expertsBackward(b.upload(dOut, T, D), ex.x(), ex.routing(), ex.weights(), new ExpertWeights(g, u, dn));
            List<Tensor> all = new ArrayList<>(List.of(r));
            all.addAll(g);
            all.addAll(u);
            all.addAll(dn);
            return all.toArray(Tensor[]::new);
        }, rel);
        compareAll("expertsBackward without weight gradients", b -> {
            Experts ex = experts(b, T + D, T, D, I, spec, skewed);
            return b.expertsBackward(b.upload(dOut, T, D), ex.x(), ex.routing(), ex.weights(), null);
        }, rel);
    }

    @ParameterizedTest
    @CsvSource({"1,300,0.7", "2,300,0.7", "7,300,0.7", "33,300,0.7", "19,1000,0.75", "2,7,0.75", "1,5,0.75", "64,8192,0.75"})
    void nextTokenLossBackward(int T, int V, float scale) {
        Random rnd = new Random(T * V);
        float[] logits = random(rnd, T * V, 5f);
        int[] ids = new int[T];
        for (int i = 0; i < T; i++) ids[i] = rnd.nextInt(V);
        compare("nextTokenLossBackward", b -> b.nextTokenLossBackward(b.upload(logits, T, V), b.uploadInts(ids, T), scale), 1e-5);
    }

    @ParameterizedTest
    @CsvSource({"1,11,1.3", "2,11,1.3", "7,11,1.3", "33,11,1.3", "29,37,0.3"})
    void softmaxWeightedSumBackward(int T, int E, float scale) {
        Random rnd = new Random(T * E);
        float[] logits = random(rnd, T * E, 3f), c = random(rnd, E, 1f);
        compare("softmaxWeightedSumBackward", b -> b.softmaxWeightedSumBackward(b.upload(logits, T, E), c, scale), 1e-5);
    }

    // ---- training ----------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(ints = {1, 7, 33, 5000, 10_007})
    void scaleFillAndSumOfSquares(int n) {
        float[] p = random(new Random(n), n, 2f);
        compare("scale", b -> {
            Tensor a = b.upload(p, n);
            b.scale(a, -0.37f);
            return a;
        }, 0);
        compare("fill", b -> {
            Tensor z = b.upload(p, n);
            b.fill(z, 0.25f);
            return z;
        }, 0);
        Backend ref = ContractBackends.reference(), b = b();
        double want = ref.sumOfSquares(ref.upload(p, n)), got = b.sumOfSquares(b.upload(p, n));
        assertEquals(want, got, tol(1e-12, 1e-12) * want, "sumOfSquares");
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 7, 33, 1000, 10_007})
    void adamWAndLionOverSeveralSteps(int n) {
        Random rnd = new Random(n);
        float[] p = random(rnd, n, 1f), m = random(rnd, n, 0.01f), v = new float[n];
        for (int i = 0; i < n; i++) v[i] = rnd.nextFloat() * 1e-3f;
        float[][] g = {random(rnd, n, 1f), random(rnd, n, 0.1f), random(rnd, n, 1f)};
        for (int steps = 1; steps <= 3; steps++) {
            int n0 = steps;
            compareAll("adamW param, m, v after step " + steps, b -> {
                Tensor pt = b.upload(p, n), mt = b.upload(m, n), vt = b.upload(v, n);
                for (int s = 1; s <= n0; s++) b.adamW(pt, b.upload(g[s - 1], n), mt, vt, 1e-2f, 0.9f, 0.95f, 1e-8f, 0.1f, s);
                return new Tensor[]{pt, mt, vt};
            }, tol(1e-6, 1e-6));
            compareAll("lion param, m after step " + steps, b -> {
                Tensor pt = b.upload(p, n), mt = b.upload(m, n);
                for (int s = 1; s <= n0; s++) b.lion(pt, b.upload(g[s - 1], n), mt, 1e-3f, 0.9f, 0.99f, 0.1f);
                return new Tensor[]{pt, mt};
            }, tol(1e-6, 1e-6));
        }
    }
}
