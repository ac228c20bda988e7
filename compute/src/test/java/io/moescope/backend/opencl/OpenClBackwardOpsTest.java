package io.moescope.backend.opencl;

import static io.moescope.backend.opencl.Twin.compare;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.moescope.backend.AttentionGradients;
import io.moescope.backend.AttentionPattern;
import io.moescope.backend.AttentionSpec;
import io.moescope.backend.Backend;
import io.moescope.backend.PatternAttentionReference;
import io.moescope.backend.ExpertWeights;
import io.moescope.backend.Rotary;
import io.moescope.backend.RouterSpec;
import io.moescope.backend.Routing;
import io.moescope.backend.Tensor;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Every backward operation against the Java reference, on random inputs of awkward sizes. */
class OpenClBackwardOpsTest {
    private static final double REL = 1e-5;

    @ParameterizedTest
    @ValueSource(ints = {1, 7, 33})
    void embeddingBackwardAddsRepeatedIds(int T) {
        Random rnd = new Random(T);
        int V = 9, D = 37;
        int[] ids = new int[T];
        for (int i = 0; i < T; i++) ids[i] = rnd.nextInt(4);   // few ids: many repeats
        Twin idT = Twin.ints(ids, T), dOut = Twin.random(rnd, 1, T, D), dTable = Twin.random(rnd, 1, V, D);
        compare("embeddingBackward", b -> {
            b.embeddingBackward(dOut.on(b), idT.on(b), dTable.on(b));
            return dTable.on(b);
        }, REL);
    }

    @ParameterizedTest
    @CsvSource({"1,1,1", "7,33,65", "33,70,17", "65,129,130", "2,16,3"})
    void linearBackward(int T, int K, int N) {
        Random rnd = new Random(T * 1000 + K * 10 + N);
        Twin x = Twin.random(rnd, 1, T, K), w = Twin.random(rnd, 0.5f, N, K), dy = Twin.random(rnd, 1, T, N);
        Twin dW = Twin.random(rnd, 1, N, K), dBias = Twin.random(rnd, 1, N);
        compare("linearBackward dx", b -> b.linearBackward(dy.on(b), x.on(b), w.on(b), dW.on(b), dBias.on(b)), REL);
        compare("linearBackward dW", b -> dW.on(b), REL);
        compare("linearBackward dBias", b -> dBias.on(b), REL);
        compare("linearBackward dx alone", b -> b.linearBackward(dy.on(b), x.on(b), w.on(b), null, null), REL);
    }

    @ParameterizedTest
    @CsvSource({"1,48,16", "7,48,16", "7,48,48", "33,200,200", "5,13,13"})
    void rmsNormBackward(int T, int width, int group) {
        Random rnd = new Random(T + width);
        Twin x = Twin.random(rnd, 3, T, width), w = Twin.random(rnd, 1, group), dy = Twin.random(rnd, 1, T, width);
        Twin dW = Twin.random(rnd, 1, group);
        compare("rmsNormBackward dx", b -> b.rmsNormBackward(dy.on(b), x.on(b), w.on(b), 1e-6f, dW.on(b)), REL);
        compare("rmsNormBackward dW", b -> dW.on(b), REL);
    }

    @ParameterizedTest
    @CsvSource({"1,false", "7,false", "33,false", "1,true", "7,true", "33,true"})
    void ropeBackward(int T, boolean interleaved) {
        Random rnd = new Random(T);
        float[] inv = new float[5];
        for (int i = 0; i < inv.length; i++) inv[i] = (float) Math.pow(10000, -2.0 * i / 10);
        Rotary rotary = new Rotary(inv, 1.2f, interleaved);
        Twin dx = Twin.random(rnd, 1, T, 3 * 14);
        compare("ropeBackward", b -> {
            b.ropeBackward(dx.on(b), 3, 14, 4, rotary);
            return dx.on(b);
        }, REL);
    }

    @ParameterizedTest
    @CsvSource({"1,4,4,0", "7,4,2,0", "33,4,1,0", "33,4,2,5", "130,2,1,0", "70,2,2,40"})
    void attentionBackward(int T, int H, int Hkv, int window) {
        assertTrue(AttentionOps.tiledBackward(OpenClTesting.backend().context()), "this device runs the tiled products");
        compareAttentionBackward(T, H, Hkv, window);
    }

    /** The first kernels (per-row probabilities, per-value products), which devices of fewer than 256 work-items a group run. */
    @ParameterizedTest
    @CsvSource({"7,4,2,0", "70,2,2,40"})
    void attentionBackwardByTheFirstKernels(int T, int H, int Hkv, int window) {
        boolean before = AttentionOps.flash;
        AttentionOps.flash = false;
        try {
            assertFalse(AttentionOps.tiledBackward(OpenClTesting.backend().context()));
            compareAttentionBackward(T, H, Hkv, window);
        } finally {
            AttentionOps.flash = before;
        }
    }

    private static void compareAttentionBackward(int T, int H, int Hkv, int window) {
        Random rnd = new Random(T * 7 + H);
        int dqk = 24, dv = 16;
        Twin q = Twin.random(rnd, 1, T, H * dqk), k = Twin.random(rnd, 1, T, Hkv * dqk), v = Twin.random(rnd, 1, T, Hkv * dv);
        Twin dCtx = Twin.random(rnd, 1, T, H * dv);
        AttentionSpec spec = new AttentionSpec(T, H, Hkv, dqk, dv, 0.35f, window);
        for (boolean given : new boolean[]{true, false}) {
            Function<Backend, AttentionGradients> grads = b -> {
                Tensor p = given ? b.attention(q.on(b), k.on(b), v.on(b), spec, true).probabilities() : null;
                return b.attentionBackward(dCtx.on(b), q.on(b), k.on(b), v.on(b), p, spec);
            };
            AttentionGradients[] g = new AttentionGradients[2];
            compare("attentionBackward dq", b -> {
                AttentionGradients a = grads.apply(b);
                g[b == References.java() ? 0 : 1] = a;
                return a.dq();
            }, 1e-4);
            compare("attentionBackward dk", b -> g[b == References.java() ? 0 : 1].dk(), 1e-4);
            compare("attentionBackward dv", b -> g[b == References.java() ? 0 : 1].dv(), REL);
        }
    }

    @ParameterizedTest
    @CsvSource({"13,4,2", "40,2,1"})
    void attentionBackwardWithPatterns(int T, int H, int Hkv) {
        OpenClBackend cl = OpenClTesting.backend();
        for (AttentionPattern pattern : PatternAttentionReference.testPatterns(T)) {
            PatternAttentionReference r = PatternAttentionReference.random(pattern, T, H, Hkv, T * 17L + H + pattern.hashCode());
            for (boolean given : new boolean[]{true, false}) {
                Tensor qt = cl.upload(r.q, T, H * 12), kt = cl.upload(r.k, T, Hkv * 12), vt = cl.upload(r.v, T, Hkv * 20);
                Tensor p = given ? cl.attention(qt, kt, vt, r.s, true).probabilities() : null;
                AttentionGradients g = cl.attentionBackward(cl.upload(r.dContext, T, H * 20), qt, kt, vt, p, r.s);
                r.assertGradients(pattern + ", T " + T + ", probabilities given " + given, cl.download(g.dq()), cl.download(g.dk()),
                        cl.download(g.dv()));
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 7, 33})
    void elementwiseBackward(int T) {
        Random rnd = new Random(T);
        Twin gate = Twin.random(rnd, 4, T, 19), up = Twin.random(rnd, 4, T, 19), dOut = Twin.random(rnd, 1, T, 19);
        Tensor[][] sw = new Tensor[2][];
        compare("swigluBackward dGate", b -> (sw[b == References.java() ? 0 : 1] = b.swigluBackward(dOut.on(b), gate.on(b), up.on(b)))[0], REL);
        compare("swigluBackward dUp", b -> sw[b == References.java() ? 0 : 1][1], REL);

        Twin rowGate = Twin.random(rnd, 3, T, 1);
        Tensor[][] sr = new Tensor[2][];
        compare("scaleRowsBySigmoidBackward dx",
                b -> (sr[b == References.java() ? 0 : 1] = b.scaleRowsBySigmoidBackward(dOut.on(b), up.on(b), rowGate.on(b)))[0], REL);
        compare("scaleRowsBySigmoidBackward dGate", b -> sr[b == References.java() ? 0 : 1][1], REL);

        // Clamped values sit exactly at the limit, where no gradient passes.
        Twin clamped = Twin.random(rnd, 4, T, 19), dx = Twin.random(rnd, 1, T, 19);
        compare("clampBackward", b -> {
            b.clamp(clamped.on(b), 1.5f);
            b.clampBackward(dx.on(b), clamped.on(b), 1.5f);
            return dx.on(b);
        }, 0);
    }

    @ParameterizedTest
    @CsvSource({"1,1", "7,1", "33,1", "7,3", "33,4"})
    void copyColumnsBackward(int rows, int divisor) {
        Random rnd = new Random(rows * 10 + divisor);
        Twin dSrc = Twin.random(rnd, 1, (rows + divisor - 1) / divisor, 13);
        Twin dDst = Twin.random(rnd, 1, rows, 11);
        compare("copyColumnsBackward", b -> {
            b.copyColumnsBackward(dDst.on(b), 2, dSrc.on(b), 5, divisor, rows, 7);
            return dSrc.on(b);
        }, REL);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 7, 33})
    void routeBackward(int T) {
        for (RouterSpec spec : OpenClForwardOpsTest.routerSpecs()) {
            Random rnd = new Random(T * 31 + spec.experts());
            Twin logits = Twin.random(rnd, 3, T, spec.experts()), dWeight = Twin.random(rnd, 1, T, spec.k());
            Twin bias = Twin.random(rnd, 0.3f, spec.experts());
            boolean withBias = spec.rule() == RouterSpec.Rule.SIGMOID_GROUP_TOP2;
            compare("routeBackward " + spec, b -> {
                Tensor bi = withBias ? bias.on(b) : null;
                Routing r = b.route(logits.on(b), spec, bi);
                return b.routeBackward(dWeight.on(b), logits.on(b), r, bi);
            }, REL);
        }
    }

    @ParameterizedTest
    @CsvSource({"1,6,2", "7,6,2", "33,6,2", "33,16,4", "40,20,4", "70,5,1", "9,3,3"})
    void expertsBackward(int T, int E, int k) {
        Random rnd = new Random(T * 100 + E * 10 + k);
        int D = 20, I = 12;
        Twin x = Twin.random(rnd, 1, T, D), logits = Twin.random(rnd, 2, T, E), dOut = Twin.random(rnd, 1, T, D);
        Twin[][] w = OpenClForwardOpsTest.expertTwins(rnd, E, D, I);
        Twin[][] dw = OpenClForwardOpsTest.expertTwins(rnd, E, D, I);
        RouterSpec spec = new RouterSpec(RouterSpec.Rule.SOFTMAX, E, k, 1, 1, true, 1f);
        Tensor[][] out = new Tensor[2][];
        compare("expertsBackward dx", b -> (out[b == References.java() ? 0 : 1] = b.expertsBackward(dOut.on(b), x.on(b),
                b.route(logits.on(b), spec, null), OpenClForwardOpsTest.experts(b, w), OpenClForwardOpsTest.experts(b, dw)))[0], REL);
        compare("expertsBackward dWeight", b -> out[b == References.java() ? 0 : 1][1], REL);
        for (int e = 0; e < E; e++) {
            int ex = e;
            compare("expertsBackward dGate " + e, b -> OpenClForwardOpsTest.experts(b, dw).gate().get(ex), REL);
            compare("expertsBackward dUp " + e, b -> OpenClForwardOpsTest.experts(b, dw).up().get(ex), REL);
            compare("expertsBackward dDown " + e, b -> OpenClForwardOpsTest.experts(b, dw).down().get(ex), REL);
        }
        compare("expertsBackward without weight gradients", b -> b.expertsBackward(dOut.on(b), x.on(b),
                b.route(logits.on(b), spec, null), OpenClForwardOpsTest.experts(b, w), null)[0], REL);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 7, 33})
    void lossBackward(int T) {
        Random rnd = new Random(T);
        int V = 300, E = 11;
        Twin logits = Twin.random(rnd, 5, T, V);
        int[] ids = new int[T];
        for (int i = 0; i < T; i++) ids[i] = rnd.nextInt(V);
        Twin idT = Twin.ints(ids, T);
        compare("nextTokenLossBackward", b -> b.nextTokenLossBackward(logits.on(b), idT.on(b), 0.7f), REL);
        Twin routerLogits = Twin.random(rnd, 3, T, E);
        float[] c = Twin.random(rnd, 1, E).values();
        compare("softmaxWeightedSumBackward", b -> b.softmaxWeightedSumBackward(routerLogits.on(b), c, 1.3f), REL);
    }

}
