package io.moescope.backend.ptx;

import static io.moescope.backend.ptx.PtxTesting.assertClose;
import static io.moescope.backend.ptx.PtxTesting.random;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.moescope.backend.AttentionGradients;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Each backward and training operation on the GPU against the java backend's. Accumulating outputs
 * start from random values, so that "add into" is checked as well as the gradient.
 */
class PtxBackwardOpsTest {

    /** Runs op on both backends; it returns the tensors to compare (in order). */
    static void compare(String what, Function<Backend, Tensor[]> op, double rel) {
        Backend ref = PtxTesting.reference(), gpu = PtxTesting.backend();
        Tensor[] want = op.apply(ref), got = op.apply(gpu);
        assertEquals(want.length, got.length);
        for (int i = 0; i < want.length; i++) assertClose(what + " output " + i, ref.download(want[i]), gpu.download(got[i]), rel);
    }

    @Test
    void embeddingBackwardAddsRepeatedIds() {
        Random rnd = new Random(1);
        int V = 20, D = 33;
        int[] ids = {3, 7, 3, 3, 19, 0, 7};
        float[] dOut = random(rnd, ids.length * D, 1f), table = random(rnd, V * D, 1f);
        compare("embeddingBackward", b -> {
            Tensor dT = b.upload(table, V, D);
            b.embeddingBackward(b.upload(dOut, ids.length, D), b.uploadInts(ids, ids.length), dT);
            return new Tensor[]{dT};
        }, 1e-6);
    }

    @ParameterizedTest
    @CsvSource({"37,45,70", "1,3,5", "300,256,520", "2048,64,48", "64,8,1000"})
    void linearBackward(int T, int K, int N) {
        Random rnd = new Random(T + K + N);
        float[] dy = random(rnd, T * N, 1f), x = random(rnd, T * K, 1f), w = random(rnd, N * K, 0.3f);
        float[] dW0 = random(rnd, N * K, 1f), db0 = random(rnd, N, 1f);
        compare("linearBackward " + T + "x" + K + "x" + N, b -> {
            Tensor dW = b.upload(dW0, N, K), dB = b.upload(db0, N);
            Tensor dx = b.linearBackward(b.upload(dy, T, N), b.upload(x, T, K), b.upload(w, N, K), dW, dB);
            return new Tensor[]{dx, dW, dB};
        }, 2e-5);
        compare("linearBackward without weight gradients", b -> new Tensor[]{
                b.linearBackward(b.upload(dy, T, N), b.upload(x, T, K), b.upload(w, N, K), null, null)}, 2e-5);
    }

    @ParameterizedTest
    @CsvSource({"13,70,70", "5,64,16", "300,512,512"})
    void rmsNormBackward(int rows, int width, int groups) {
        Random rnd = new Random(rows * width);
        float[] dy = random(rnd, rows * width, 1f), x = random(rnd, rows * width, 2f), w = random(rnd, groups, 1f);
        float[] dW0 = random(rnd, groups, 1f);
        compare("rmsNormBackward", b -> {
            Tensor dW = b.upload(dW0, groups);
            Tensor dx = b.rmsNormBackward(b.upload(dy, rows, width), b.upload(x, rows, width), b.upload(w, groups), 1e-6f, dW);
            return new Tensor[]{dx, dW};
        }, 1e-5);
    }

    @ParameterizedTest
    @CsvSource({"false,1.0,0", "true,1.3,8"})
    void ropeBackward(boolean interleaved, float factor, int offset) {
        Random rnd = new Random(3);
        int T = 21, heads = 2, dim = 12, stride = offset + dim + 2;
        float[] inv = new float[dim / 2];
        for (int i = 0; i < inv.length; i++) inv[i] = (float) Math.pow(10000, -2.0 * i / dim);
        Rotary r = new Rotary(inv, factor, interleaved);
        float[] dx = random(rnd, T * heads * stride, 1f);
        compare("ropeBackward", b -> {
            Tensor t = b.upload(dx, T, heads * stride);
            b.ropeBackward(t, heads, stride, offset, r);
            return new Tensor[]{t};
        }, 1e-6);
    }

    @ParameterizedTest
    @CsvSource({"1,2,1,8,8,0", "37,4,2,24,16,0", "37,3,3,40,24,6", "200,8,2,64,64,0", "150,4,4,16,32,0"})
    void attentionBackward(int T, int H, int Hkv, int dqk, int dv, int window) {
        Random rnd = new Random(T * 7 + H);
        float[] q = random(rnd, T * H * dqk, 1f), k = random(rnd, T * Hkv * dqk, 1f), v = random(rnd, T * Hkv * dv, 1f);
        float[] dC = random(rnd, T * H * dv, 1f);
        AttentionSpec s = new AttentionSpec(T, H, Hkv, dqk, dv, (float) (1 / Math.sqrt(dqk)), window);
        for (boolean keep : new boolean[]{true, false}) {
            compare("attentionBackward (probabilities " + (keep ? "given" : "recomputed") + ")", b -> {
                Tensor qt = b.upload(q, T, H, dqk), kt = b.upload(k, T, Hkv, dqk), vt = b.upload(v, T, Hkv, dv);
                AttentionOutput out = b.attention(qt, kt, vt, s, true);
                AttentionGradients g = b.attentionBackward(b.upload(dC, T, H * dv), qt, kt, vt, keep ? out.probabilities() : null, s);
                return new Tensor[]{g.dq(), g.dk(), g.dv()};
            }, 5e-5);
        }
    }

    @ParameterizedTest
    @CsvSource({"13,4,2", "40,2,1", "150,2,2"})
    void attentionBackwardWithPatterns(int T, int H, int Hkv) {
        Backend gpu = PtxTesting.backend();
        for (AttentionPattern pattern : PatternAttentionReference.testPatterns(T)) {
            PatternAttentionReference r = PatternAttentionReference.random(pattern, T, H, Hkv, T * 17L + H + pattern.hashCode());
            for (boolean given : new boolean[]{true, false}) {
                Tensor qt = gpu.upload(r.q, T, H, 12), kt = gpu.upload(r.k, T, Hkv, 12), vt = gpu.upload(r.v, T, Hkv, 20);
                Tensor p = given ? gpu.attention(qt, kt, vt, r.s, true).probabilities() : null;
                AttentionGradients g = gpu.attentionBackward(gpu.upload(r.dContext, T, H * 20), qt, kt, vt, p, r.s);
                r.assertGradients(pattern + ", T " + T + ", probabilities given " + given, gpu.download(g.dq()), gpu.download(g.dk()),
                        gpu.download(g.dv()));
            }
        }
    }

    @Test
    void elementwiseBackward() {
        Random rnd = new Random(4);
        int R = 23, D = 41;
        float[] d = random(rnd, R * D, 1f), a = random(rnd, R * D, 4f), c = random(rnd, R * D, 2f), g = random(rnd, R, 3f);
        compare("swigluBackward", b -> b.swigluBackward(b.upload(d, R, D), b.upload(a, R, D), b.upload(c, R, D)), 1e-5);
        compare("scaleRowsBySigmoidBackward", b -> b.scaleRowsBySigmoidBackward(b.upload(d, R, D), b.upload(a, R, D), b.upload(g, R, 1)), 1e-5);
        compare("clampBackward", b -> {
            Tensor x = b.upload(a, R, D);
            b.clamp(x, 1.5f);
            Tensor dx = b.upload(d, R, D);
            b.clampBackward(dx, x, 1.5f);
            return new Tensor[]{dx};
        }, 0);
    }

    @ParameterizedTest
    @CsvSource({"1", "4"})
    void copyColumnsBackward(int divisor) {
        Random rnd = new Random(5);
        int rows = 18, srcRows = (rows + divisor - 1) / divisor;
        float[] dDst = random(rnd, rows * 17, 1f), dSrc = random(rnd, srcRows * 20, 1f);
        compare("copyColumnsBackward", b -> {
            Tensor s = b.upload(dSrc, srcRows, 20);
            b.copyColumnsBackward(b.upload(dDst, rows, 17), 3, s, 5, divisor, rows, 11);
            return new Tensor[]{s};
        }, 1e-6);
    }

    @Test
    void routeBackward() {
        for (RouterSpec spec : PtxForwardOpsTest.routerSpecs()) {
            Random rnd = new Random(spec.experts() + spec.k());
            int T = 45, E = spec.experts(), k = spec.k();
            float[] logits = random(rnd, T * E, 3f), dW = random(rnd, T * k, 1f);
            float[] bias = spec.rule() == RouterSpec.Rule.SIGMOID_GROUP_TOP2 ? random(rnd, E, 0.5f) : null;
            compare("routeBackward " + spec, b -> {
                Tensor l = b.upload(logits, T, E);
                Tensor bt = bias == null ? null : b.upload(bias, E);
                Routing r = b.route(l, spec, bt);
                return new Tensor[]{b.routeBackward(b.upload(dW, T, k), l, r, bt)};
            }, 1e-5);
        }
    }

    @ParameterizedTest
    @CsvSource({"50,40,24,6,2,false", "33,12,20,9,3,true", "300,128,256,8,2,false", "600,64,96,16,2,true"})
    void expertsBackward(int T, int D, int I, int E, int k, boolean skewed) {
        RouterSpec spec = new RouterSpec(RouterSpec.Rule.SOFTMAX, E, k, 1, 1, true, 1f);
        float[] dOut = random(new Random(T), T * D, 1f);
        compare("expertsBackward", b -> {
            PtxForwardOpsTest.Experts ex = PtxForwardOpsTest.experts(b, T + D, T, D, I, spec, skewed);
            Random rnd = new Random(99);
            List<Tensor> g = new ArrayList<>(), u = new ArrayList<>(), dn = new ArrayList<>();
            for (int e = 0; e < E; e++) {
                g.add(b.upload(random(rnd, I * D, 1f), I, D));
                u.add(b.upload(random(rnd, I * D, 1f), I, D));
                dn.add(b.upload(random(rnd, D * I, 1f), D, I));
            }
            ExpertWeights dw = new ExpertWeights(g, u, dn);
            Tensor[] r = b.expertsBackward(b.upload(dOut, T, D), ex.x(), ex.routing(), ex.weights(), dw);
            List<Tensor> all = new ArrayList<>(List.of(r));
            all.addAll(g);
            all.addAll(u);
            all.addAll(dn);
            return all.toArray(Tensor[]::new);
        }, 5e-5);
    }

    @ParameterizedTest
    @CsvSource({"19,1000", "2,7", "1,5", "64,8192"})
    void nextTokenLossBackward(int T, int V) {
        Random rnd = new Random(T * V);
        float[] logits = random(rnd, T * V, 5f);
        int[] ids = new int[T];
        for (int i = 0; i < T; i++) ids[i] = rnd.nextInt(V);
        compare("nextTokenLossBackward", b -> new Tensor[]{b.nextTokenLossBackward(b.upload(logits, T, V), b.uploadInts(ids, T), 0.75f)}, 1e-5);
    }

    @Test
    void softmaxWeightedSumBackward() {
        Random rnd = new Random(7);
        int T = 29, E = 37;
        float[] logits = random(rnd, T * E, 3f), c = random(rnd, E, 1f);
        compare("softmaxWeightedSumBackward", b -> new Tensor[]{b.softmaxWeightedSumBackward(b.upload(logits, T, E), c, 0.3f)}, 1e-5);
    }

    @Test
    void trainingSteps() {
        Random rnd = new Random(8);
        int n = 10_007;
        float[] p = random(rnd, n, 1f), g = random(rnd, n, 0.1f), m = random(rnd, n, 0.01f), v = new float[n];
        for (int i = 0; i < n; i++) v[i] = rnd.nextFloat() * 1e-3f;
        compare("adamW", b -> {
            Tensor pt = b.upload(p, n), mt = b.upload(m, n), vt = b.upload(v, n);
            b.adamW(pt, b.upload(g, n), mt, vt, 1e-3f, 0.9f, 0.95f, 1e-8f, 0.1f, 3);
            return new Tensor[]{pt, mt, vt};
        }, 1e-6);
        compare("lion", b -> {
            Tensor pt = b.upload(p, n), mt = b.upload(m, n);
            b.lion(pt, b.upload(g, n), mt, 1e-4f, 0.9f, 0.99f, 0.1f);
            return new Tensor[]{pt, mt};
        }, 1e-6);
        compare("scale and fill", b -> {
            Tensor a = b.upload(p, n), z = b.upload(g, n);
            b.scale(a, -2.5f);
            b.fill(z, 0.25f);
            return new Tensor[]{a, z};
        }, 0);
        Backend ref = PtxTesting.reference(), gpu = PtxTesting.backend();
        double want = ref.sumOfSquares(ref.upload(p, n)), got = gpu.sumOfSquares(gpu.upload(p, n));
        assertEquals(want, got, 1e-12 * want);
    }
}
