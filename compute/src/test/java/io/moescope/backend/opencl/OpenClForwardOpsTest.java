package io.moescope.backend.opencl;

import static io.moescope.backend.opencl.Twin.compare;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Every forward operation against the Java reference, on random inputs of awkward sizes. */
class OpenClForwardOpsTest {
    private static final double REL = 1e-5;

    @ParameterizedTest
    @ValueSource(ints = {1, 7, 33})
    void embedding(int T) {
        Random rnd = new Random(T);
        Twin table = Twin.random(rnd, 1, 11, 37);
        int[] ids = new int[T];
        for (int i = 0; i < T; i++) ids[i] = rnd.nextInt(11);
        Twin idT = Twin.ints(ids, T);
        compare("embedding", b -> b.embedding(table.on(b), idT.on(b)), 0);
    }

    @ParameterizedTest
    @CsvSource({"1,1,1", "1,70,130", "7,33,65", "8,300,3", "9,33,65", "33,70,17", "64,64,64", "65,129,130", "3,16,1"})
    void linear(int T, int K, int N) {
        Random rnd = new Random(T * 1000 + K * 10 + N);
        Twin x = Twin.random(rnd, 1, T, K), w = Twin.random(rnd, 0.5f, N, K), bias = Twin.random(rnd, 1, N);
        compare("linear", b -> b.linear(x.on(b), w.on(b), null), REL);
        compare("linear+bias", b -> b.linear(x.on(b), w.on(b), bias.on(b)), REL);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 7, 33})
    void linearOfMappedWeightAndThreeDimensionalInput(int T) {
        Random rnd = new Random(T);
        Twin x = Twin.random(rnd, 1, T, 3, 10);
        float[] wv = Twin.random(rnd, 1, 5, 10).values();
        FloatTensor mapped = FloatTensor.of(wv, 5, 10);
        Tensor want = References.java().linear(x.on(References.java()), References.java().upload(mapped), null);
        Tensor got = OpenClTesting.backend().linear(x.on(OpenClTesting.backend()), OpenClTesting.backend().upload(mapped), null);
        assertArrayEquals(want.shape(), got.shape());
        OpenClTesting.assertClose("linear", References.java().download(want), OpenClTesting.backend().download(got), REL);
    }

    @ParameterizedTest
    @CsvSource({"1,48,16", "7,48,16", "7,48,48", "33,200,200", "5,13,13"})
    void rmsNorm(int T, int width, int group) {
        Random rnd = new Random(T + width);
        Twin x = Twin.random(rnd, 3, T, width), w = Twin.random(rnd, 1, group);
        compare("rmsNorm", b -> b.rmsNorm(x.on(b), w.on(b), 1e-6f), REL);
    }

    @ParameterizedTest
    @CsvSource({"1,false", "7,false", "33,false", "1,true", "7,true", "33,true"})
    void rope(int T, boolean interleaved) {
        Random rnd = new Random(T);
        float[] inv = new float[5];
        for (int i = 0; i < inv.length; i++) inv[i] = (float) Math.pow(10000, -2.0 * i / 10);
        Rotary rotary = new Rotary(inv, 1.2f, interleaved);
        Twin x = Twin.random(rnd, 1, T, 3 * 14);
        compare("rope", b -> {
            Tensor t = x.on(b);
            b.rope(t, 3, 14, 4, rotary);
            return t;
        }, REL);
    }

    /** 40 heads of 64 pairs are more than the kernel stages at once: heads go in chunks. */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void ropeOverManyHeads(boolean interleaved) {
        Random rnd = new Random(5);
        float[] inv = new float[64];
        for (int i = 0; i < inv.length; i++) inv[i] = (float) Math.pow(10000, -2.0 * i / 128);
        Rotary rotary = new Rotary(inv, 1f, interleaved);
        Twin x = Twin.random(rnd, 1, 3, 40 * 130);
        compare("rope", b -> {
            Tensor t = x.on(b);
            b.rope(t, 40, 130, 2, rotary);
            return t;
        }, REL);
    }

    @ParameterizedTest
    @CsvSource({"1,4,4,0,true", "7,4,2,0,true", "33,4,1,0,true", "33,4,2,5,true", "130,2,1,0,true", "130,2,2,40,false",
            "7,2,2,0,false", "1,2,1,0,false", "65,4,1,0,false", "33,4,2,5,false", "100,2,2,17,false"})
    void attention(int T, int H, int Hkv, int window, boolean keep) {
        for (int dv : new int[]{16, 136}) {
            Random rnd = new Random(T * 7 + H + dv);
            int dqk = 24;
            Twin q = Twin.random(rnd, 1, T, H * dqk), k = Twin.random(rnd, 1, T, Hkv * dqk), v = Twin.random(rnd, 1, T, Hkv * dv);
            AttentionSpec spec = new AttentionSpec(T, H, Hkv, dqk, dv, 0.35f, window);
            AttentionOutput[] out = new AttentionOutput[2];
            compare("attention context", b -> {
                AttentionOutput a = b.attention(q.on(b), k.on(b), v.on(b), spec, keep);
                out[b == References.java() ? 0 : 1] = a;
                return a.context();
            }, REL);
            assertEquals(keep, out[1].probabilities() != null);
            if (keep) {
                float[] want = References.java().download(out[0].probabilities());
                float[] got = OpenClTesting.backend().download(out[1].probabilities());
                OpenClTesting.assertWithin("probabilities", want, got, 1e-6);
                for (int h = 0; h < H; h++) {
                    for (int i = 0; i < T; i++) {
                        for (int j = 0; j < T; j++) {
                            if (!spec.visible(i, j)) assertEquals(0f, got[(h * T + i) * T + j], "masked probability");
                        }
                    }
                }
            }
        }
    }

    @ParameterizedTest
    @CsvSource({"1,2,1", "13,4,2", "40,2,2", "40,4,1"})
    void attentionWithPatterns(int T, int H, int Hkv) {
        OpenClBackend cl = OpenClTesting.backend();
        for (AttentionPattern pattern : PatternAttentionReference.testPatterns(T)) {
            PatternAttentionReference r = PatternAttentionReference.random(pattern, T, H, Hkv, T * 31L + H + pattern.hashCode());
            for (boolean keep : new boolean[]{true, false}) {
                AttentionOutput got = cl.attention(cl.upload(r.q, T, H * 12), cl.upload(r.k, T, Hkv * 12), cl.upload(r.v, T, Hkv * 20), r.s, keep);
                assertEquals(keep, got.probabilities() != null);
                r.assertForward(pattern + ", T " + T + ", keep " + keep, cl.download(got.context()),
                        keep ? cl.download(got.probabilities()) : null);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 7, 33})
    void elementwise(int T) {
        Random rnd = new Random(T);
        Twin a = Twin.random(rnd, 4, T, 19), c = Twin.random(rnd, 4, T, 19), gate = Twin.random(rnd, 3, T, 1);
        compare("swiglu", b -> b.swiglu(a.on(b), c.on(b)), REL);
        compare("add", b -> b.add(a.on(b), c.on(b)), 0);
        Twin acc = Twin.random(rnd, 4, T, 19);
        compare("addInPlace", b -> {
            b.addInPlace(acc.on(b), a.on(b));
            return acc.on(b);
        }, 0);
        Twin cl = Twin.random(rnd, 4, T, 19);
        compare("clamp", b -> {
            b.clamp(cl.on(b), 1.5f);
            return cl.on(b);
        }, 0);
        Twin s = Twin.random(rnd, 4, T, 19);
        compare("scaleRowsBySigmoid", b -> {
            b.scaleRowsBySigmoid(s.on(b), gate.on(b));
            return s.on(b);
        }, REL);
    }

    @ParameterizedTest
    @CsvSource({"1,1", "7,1", "33,1", "7,3", "33,4"})
    void copyColumns(int rows, int divisor) {
        Random rnd = new Random(rows * 10 + divisor);
        Twin src = Twin.random(rnd, 1, (rows + divisor - 1) / divisor, 13);
        Twin dst = Twin.random(rnd, 1, rows, 11);
        compare("copyColumns", b -> {
            b.copyColumns(src.on(b), 5, divisor, dst.on(b), 2, rows, 7);
            return dst.on(b);
        }, 0);
    }

    static List<RouterSpec> routerSpecs() {
        return List.of(
                new RouterSpec(RouterSpec.Rule.SOFTMAX, 8, 2, 1, 1, false, 1f),
                new RouterSpec(RouterSpec.Rule.SOFTMAX, 8, 2, 1, 1, true, 1f),
                new RouterSpec(RouterSpec.Rule.SOFTMAX, 60, 4, 1, 1, true, 1f),
                new RouterSpec(RouterSpec.Rule.SOFTMAX_GROUP_MAX, 16, 3, 4, 2, false, 1.5f),
                new RouterSpec(RouterSpec.Rule.SIGMOID_GROUP_TOP2, 16, 4, 4, 2, true, 2.5f),
                new RouterSpec(RouterSpec.Rule.SIGMOID_GROUP_TOP2, 12, 3, 3, 1, false, 1f));
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 7, 33})
    void route(int T) {
        for (RouterSpec spec : routerSpecs()) {
            for (boolean ties : new boolean[]{false, true}) {
                for (boolean withBias : new boolean[]{false, true}) {
                    if (withBias && spec.rule() != RouterSpec.Rule.SIGMOID_GROUP_TOP2) continue;
                    Random rnd = new Random(T * 31 + spec.experts());
                    float[] l = Twin.random(rnd, 3, T, spec.experts()).values();
                    // Few distinct values make ties, between experts and between groups.
                    if (ties) for (int i = 0; i < l.length; i++) l[i] = Math.round(l[i]) * 0.5f;
                    Twin logits = Twin.of(l, T, spec.experts());
                    Twin bias = Twin.random(rnd, withBias ? 0.3f : 0, spec.experts());
                    String what = spec + (ties ? " with ties" : "") + (withBias ? " with bias" : "");
                    Routing want = References.java().route(logits.on(References.java()), spec, withBias ? bias.on(References.java()) : null);
                    Routing got = OpenClTesting.backend().route(logits.on(OpenClTesting.backend()), spec,
                            withBias ? bias.on(OpenClTesting.backend()) : null);
                    assertArrayEquals(References.java().downloadInts(want.index()), OpenClTesting.backend().downloadInts(got.index()),
                            what + ": experts");
                    OpenClTesting.assertWithin(what + ": weights", References.java().download(want.weight()),
                            OpenClTesting.backend().download(got.weight()), 1e-6);
                }
            }
        }
    }

    /** Random SwiGLU experts [I, D], [I, D], [D, I], as twins to upload on either backend. */
    static Twin[][] expertTwins(Random rnd, int E, int D, int I) {
        Twin[][] w = new Twin[3][E];
        for (int e = 0; e < E; e++) {
            w[0][e] = Twin.random(rnd, 0.4f, I, D);
            w[1][e] = Twin.random(rnd, 0.4f, I, D);
            w[2][e] = Twin.random(rnd, 0.4f, D, I);
        }
        return w;
    }

    static ExpertWeights experts(Backend b, Twin[][] w) {
        List<Tensor> g = new ArrayList<>(), u = new ArrayList<>(), d = new ArrayList<>();
        for (int e = 0; e < w[0].length; e++) {
            g.add(w[0][e].on(b));
            u.add(w[1][e].on(b));
            d.add(w[2][e].on(b));
        }
        return new ExpertWeights(g, u, d);
    }

    @ParameterizedTest
    @CsvSource({"1,6,2", "7,6,2", "33,6,2", "33,16,4", "40,20,4", "70,5,1", "9,3,3"})
    void experts(int T, int E, int k) {
        Random rnd = new Random(T * 100 + E * 10 + k);
        int D = 20, I = 12;
        Twin x = Twin.random(rnd, 1, T, D), logits = Twin.random(rnd, 2, T, E);
        Twin[][] w = expertTwins(rnd, E, D, I);
        RouterSpec spec = new RouterSpec(RouterSpec.Rule.SOFTMAX, E, k, 1, 1, true, 1f);
        compare("experts", b -> b.experts(x.on(b), b.route(logits.on(b), spec, null), experts(b, w)), REL);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 7, 33, 300})   // 300: more rows than the mean's work-group
    void nextTokenLoss(int T) {
        Random rnd = new Random(T);
        int V = 300;
        Twin logits = Twin.random(rnd, 5, T, V);
        int[] ids = new int[T];
        for (int i = 0; i < T; i++) ids[i] = rnd.nextInt(V);
        Twin idT = Twin.ints(ids, T);
        float want = References.java().download(References.java().nextTokenLoss(logits.on(References.java()), idT.on(References.java())))[0];
        float got = OpenClTesting.backend().download(OpenClTesting.backend().nextTokenLoss(logits.on(OpenClTesting.backend()),
                idT.on(OpenClTesting.backend())))[0];
        if (T < 2) {
            assertTrue(Float.isNaN(want) && Float.isNaN(got), "NaN without targets: " + want + ", " + got);
        } else {
            assertEquals(want, got, 1e-6 * Math.abs(want));
        }
    }
}
