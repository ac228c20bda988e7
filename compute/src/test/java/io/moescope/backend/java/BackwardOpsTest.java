package io.moescope.backend.java;

import static io.moescope.backend.java.FiniteDifference.check;
import static io.moescope.backend.java.FiniteDifference.dot;
import static io.moescope.backend.java.FiniteDifference.doubles;
import static io.moescope.backend.java.FiniteDifference.minus;
import static io.moescope.backend.java.FiniteDifference.randomFloats;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.moescope.backend.AttentionGradients;
import io.moescope.backend.AttentionSpec;
import io.moescope.backend.ExpertWeights;
import io.moescope.backend.Rotary;
import io.moescope.backend.RouterSpec;
import io.moescope.backend.Routing;
import io.moescope.backend.Tensor;
import io.moescope.tensor.FloatTensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every backward operation of the Java backend (float32) against central differences of a
 * double-precision reference forward ({@link Reference}), on small random inputs. Each objective is
 * sum(g * forward(inputs)) for a random upstream gradient g, so its gradient is what backward returns.
 * Four threads, with some shapes large enough that the parallel paths run.
 */
class BackwardOpsTest {
    private static final JavaBackend B = new JavaBackend(4);

    @AfterAll
    static void close() {
        B.close();
    }

    private final Random rnd = new Random(42);

    private float[] rand(int n) {
        return randomFloats(rnd, n, 1.0);
    }

    private static float[] ones(int n) {
        float[] v = new float[n];
        Arrays.fill(v, 1f);
        return v;
    }

    @Test
    void embeddingBackwardAddsRowsOfRepeatedIds() {
        int V = 7, D = 5;
        int[] ids = {1, 3, 1, 6, 0, 3};
        float[] table = rand(V * D), g = rand(ids.length * D);
        Tensor dTable = B.upload(ones(V * D), V, D);   // accumulates onto what is there
        B.embeddingBackward(B.upload(g, ids.length, D), B.uploadInts(ids, ids.length), dTable);
        double[] x = doubles(table);
        check("embedding dTable", x, minus(B.download(dTable), ones(V * D)), () -> dot(g, Reference.embedding(x, D, ids)));
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void linearBackward(boolean large) {
        int T = large ? 9 : 5, K = large ? 64 : 12, N = large ? 80 : 9;
        float[] x = rand(T * K), w = rand(N * K), bias = rand(N), g = rand(T * N);
        // Weights as the model has them: mapped float32, not heap arrays.
        Tensor wt = B.upload(FloatTensor.of(w, N, K));
        Tensor dW = B.upload(ones(N * K), N, K), dBias = B.upload(ones(N), N);
        float[] dx = B.download(B.linearBackward(B.upload(g, T, N), B.upload(x, T, K), wt, dW, dBias));
        double[] xd = doubles(x), wd = doubles(w), bd = doubles(bias);
        check("linear dx", xd, dx, () -> dot(g, Reference.linear(xd, T, K, wd, N, bd)));
        check("linear dW", wd, minus(B.download(dW), ones(N * K)), () -> dot(g, Reference.linear(xd, T, K, wd, N, bd)));
        check("linear dBias", bd, minus(B.download(dBias), ones(N)), () -> dot(g, Reference.linear(xd, T, K, wd, N, bd)));
        // Null gradient tensors are skipped, and dx does not change.
        assertArrayEquals(dx, B.download(B.linearBackward(B.upload(g, T, N), B.upload(x, T, K), wt, null, null)));
    }

    @ParameterizedTest
    @ValueSource(ints = {32, 8})   // the weight's width: a whole row (OLMoE's q/k norms), or one head of 8 (Qwen3's)
    void rmsNormBackward(int width) {
        int rows = 3, D = 32;
        float eps = 1e-6f;
        float[] xs = rand(rows * D), w = rand(width), g = rand(rows * D);
        Tensor dW = B.zeros(width);
        float[] dx = B.download(B.rmsNormBackward(B.upload(g, rows, D), B.upload(xs, rows, D), B.upload(w, width), eps, dW));
        double[] xd = doubles(xs), wd = doubles(w);
        check("rmsNorm dx", xd, dx, () -> dot(g, Reference.rmsNorm(xd, wd, eps)));
        check("rmsNorm dW", wd, B.download(dW), () -> dot(g, Reference.rmsNorm(xd, wd, eps)));
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void ropeBackward(boolean interleaved) {
        // Rotary part in the middle of each head (as MLA's queries), and a YaRN-like attention factor.
        int T = 5, heads = 3, stride = 11, offset = 3;
        float[] inv = {1f, 0.3f, 0.05f};
        Rotary rotary = new Rotary(inv, 1.3f, interleaved);
        float[] x = rand(T * heads * stride), g = rand(T * heads * stride);
        Tensor dx = B.upload(g, T, heads * stride);
        B.ropeBackward(dx, heads, stride, offset, rotary);
        double[] xd = doubles(x);
        check("rope dx", xd, B.download(dx), () -> dot(g, Reference.rope(xd, heads, stride, offset, inv, 1.3, interleaved)));
        // And the forward op agrees with the reference, so both describe the same function.
        Tensor y = B.upload(x, T, heads * stride);
        B.rope(y, heads, stride, offset, rotary);
        double[] want = Reference.rope(xd, heads, stride, offset, inv, 1.3, interleaved);
        float[] got = B.download(y);
        for (int i = 0; i < got.length; i++) assertEquals(want[i], got[i], 1e-5, "rope forward at " + i);
    }

    @ParameterizedTest
    @ValueSource(strings = {"gqa-window", "gqa", "mla-shapes", "large"})
    void attentionBackward(String kind) {
        int T = 7, H = 4, Hkv = 2, dqk = 6, dv = 6, window = 0;
        switch (kind) {
            case "gqa-window" -> window = 3;
            case "mla-shapes" -> {
                Hkv = 4;
                dv = 5;
            }
            case "large" -> {   // enough work for both passes to run in parallel
                T = 24;
                dqk = 8;
                dv = 8;
                window = 9;
            }
            default -> { }
        }
        AttentionSpec spec = new AttentionSpec(T, H, Hkv, dqk, dv, 0.4f, window);
        float[] q = rand(T * H * dqk), k = rand(T * Hkv * dqk), v = rand(T * Hkv * dv), g = rand(T * H * dv);
        Tensor qt = B.upload(q, T, H * dqk), kt = B.upload(k, T, Hkv * dqk), vt = B.upload(v, T, Hkv * dv);
        Tensor probs = B.attention(qt, kt, vt, spec, true).probabilities();
        AttentionGradients ag = B.attentionBackward(B.upload(g, T, H * dv), qt, kt, vt, probs, spec);
        double[] qd = doubles(q), kd = doubles(k), vd = doubles(v);
        int fT = T, fHkv = Hkv, fdqk = dqk, fdv = dv, fw = window;
        java.util.function.DoubleSupplier f = () -> dot(g, Reference.attention(qd, kd, vd, fT, H, fHkv, fdqk, fdv, 0.4, fw));
        check(kind + " dq", qd, B.download(ag.dq()), f);
        check(kind + " dk", kd, B.download(ag.dk()), f);
        check(kind + " dv", vd, B.download(ag.dv()), f);
        // Without the probabilities, backward recomputes them.
        AttentionGradients again = B.attentionBackward(B.upload(g, T, H * dv), qt, kt, vt, null, spec);
        // Within rounding, not bit for bit: the Vector API's summation order may change while the JIT warms up.
        assertArrayEquals(B.download(ag.dk()), B.download(again.dk()), 1e-6f);
    }

    @Test
    void swigluBackward() {
        float[] gate = rand(24), up = rand(24), g = rand(24);
        Tensor[] d = B.swigluBackward(B.upload(g, 4, 6), B.upload(gate, 4, 6), B.upload(up, 4, 6));
        double[] gd = doubles(gate), ud = doubles(up);
        check("swiglu dGate", gd, B.download(d[0]), () -> dot(g, Reference.swiglu(gd, ud)));
        check("swiglu dUp", ud, B.download(d[1]), () -> dot(g, Reference.swiglu(gd, ud)));
    }

    @Test
    void clampBackward() {
        float limit = 1.5f;
        float[] x = new float[40];
        for (int i = 0; i < x.length; i++) {
            do x[i] = (float) (rnd.nextDouble() * 6 - 3); while (Math.abs(Math.abs(x[i]) - limit) < 0.05);   // away from the kink
        }
        float[] g = rand(40);
        Tensor clamped = B.upload(x, 5, 8);
        B.clamp(clamped, limit);
        Tensor dx = B.upload(g, 5, 8);
        B.clampBackward(dx, clamped, limit);
        double[] xd = doubles(x);
        check("clamp dx", xd, B.download(dx), () -> dot(g, Reference.clamp(xd, limit)));
    }

    @Test
    void scaleRowsBySigmoidBackward() {
        int T = 5, D = 7;
        float[] x = rand(T * D), gate = rand(T), g = rand(T * D);
        Tensor[] d = B.scaleRowsBySigmoidBackward(B.upload(g, T, D), B.upload(x, T, D), B.upload(gate, T, 1));
        double[] xd = doubles(x), gd = doubles(gate);
        check("scaleRowsBySigmoid dx", xd, B.download(d[0]), () -> dot(g, Reference.scaleRowsBySigmoid(xd, gd)));
        check("scaleRowsBySigmoid dGate", gd, B.download(d[1]), () -> dot(g, Reference.scaleRowsBySigmoid(xd, gd)));
    }

    @Test
    void copyColumnsBackwardSumsBroadcastRows() {
        int srcRows = 3, srcW = 8, rows = 6, dstW = 10, srcCol = 3, dstCol = 4, width = 4, div = 2;
        float[] src = rand(srcRows * srcW), dst = rand(rows * dstW), g = rand(rows * dstW);
        Tensor dSrc = B.upload(ones(srcRows * srcW), srcRows, srcW);
        B.copyColumnsBackward(B.upload(g, rows, dstW), dstCol, dSrc, srcCol, div, rows, width);
        double[] sd = doubles(src), dd = doubles(dst);
        check("copyColumns dSrc", sd, minus(B.download(dSrc), ones(srcRows * srcW)),
                () -> dot(g, Reference.copyColumns(sd, srcW, srcCol, div, dd, dstW, dstCol, rows, width)));
    }

    /** Mixtral, Qwen2/OLMoE, DeepSeek-V2 greedy and group-limited, DeepSeek-V3 with and without renormalisation. */
    @ParameterizedTest
    @ValueSource(strings = {"softmax-renorm", "softmax", "softmax-scaled", "softmax-group-max", "sigmoid-groups", "sigmoid-plain"})
    void routeBackward(String kind) {
        RouterSpec spec = switch (kind) {
            case "softmax-renorm" -> new RouterSpec(RouterSpec.Rule.SOFTMAX, 8, 2, 1, 1, true, 1f);
            case "softmax" -> new RouterSpec(RouterSpec.Rule.SOFTMAX, 16, 4, 1, 1, false, 1f);
            case "softmax-scaled" -> new RouterSpec(RouterSpec.Rule.SOFTMAX, 16, 3, 1, 1, false, 1.7f);
            case "softmax-group-max" -> new RouterSpec(RouterSpec.Rule.SOFTMAX_GROUP_MAX, 16, 3, 4, 2, false, 1.7f);
            case "sigmoid-groups" -> new RouterSpec(RouterSpec.Rule.SIGMOID_GROUP_TOP2, 16, 4, 4, 2, true, 2.5f);
            case "sigmoid-plain" -> new RouterSpec(RouterSpec.Rule.SIGMOID_GROUP_TOP2, 8, 2, 1, 1, false, 1f);
            default -> throw new IllegalArgumentException(kind);
        };
        int T = 6, E = spec.experts(), k = spec.k();
        float[] logits = randomFloats(rnd, T * E, 2.0), g = rand(T * k);
        float[] bias = spec.rule() == RouterSpec.Rule.SIGMOID_GROUP_TOP2 ? randomFloats(rnd, E, 0.05) : null;
        Tensor lt = B.upload(logits, T, E), bt = bias == null ? null : B.upload(bias, E);
        Routing routing = B.route(lt, spec, bt);
        double[] ld = doubles(logits), biasd = bias == null ? null : doubles(bias);
        // The reference chooses the same experts ...
        int[] idx = B.downloadInts(routing.index());
        for (int t = 0; t < T; t++) {
            int[] want = new int[k];
            Reference.route(spec, ld, t * E, biasd, want);
            assertArrayEquals(want, Arrays.copyOfRange(idx, t * k, t * k + k), kind + " choice of token " + t);
        }
        // ... and its weights, choice included, have the gradient routeBackward gives.
        float[] analytic = B.download(B.routeBackward(B.upload(g, T, k), lt, routing, bt));
        check(kind + " dLogits", ld, analytic, () -> {
            double s = 0;
            int[] chosen = new int[k];
            for (int t = 0; t < T; t++) {
                double[] w = Reference.route(spec, ld, t * E, biasd, chosen);
                for (int j = 0; j < k; j++) s += g[t * k + j] * w[j];
            }
            return s;
        });
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void expertsBackward(boolean large) {
        int T = large ? 16 : 5, D = large ? 32 : 6, I = large ? 16 : 4, E = 4, k = 2;
        int[] idx = new int[T * k];
        float[] weight = new float[T * k];
        for (int t = 0; t < T; t++) {
            // Expert 3 is never chosen: its gradients must stay zero.
            idx[t * k] = t % 3;
            idx[t * k + 1] = (t + 1 + t / 3) % 3 == t % 3 ? (t + 2) % 3 : (t + 1 + t / 3) % 3;
            weight[t * k] = (float) rnd.nextDouble();
            weight[t * k + 1] = (float) rnd.nextDouble();
        }
        float[] x = rand(T * D), g = rand(T * D);
        List<float[]> gate = new ArrayList<>(), up = new ArrayList<>(), down = new ArrayList<>();
        List<Tensor> gT = new ArrayList<>(), uT = new ArrayList<>(), dT = new ArrayList<>();
        List<Tensor> dgT = new ArrayList<>(), duT = new ArrayList<>(), ddT = new ArrayList<>();
        for (int e = 0; e < E; e++) {
            gate.add(randomFloats(rnd, I * D, 0.5));
            up.add(randomFloats(rnd, I * D, 0.5));
            down.add(randomFloats(rnd, D * I, 0.5));
            gT.add(B.upload(FloatTensor.of(gate.get(e), I, D)));
            uT.add(B.upload(FloatTensor.of(up.get(e), I, D)));
            dT.add(B.upload(FloatTensor.of(down.get(e), D, I)));
            dgT.add(B.zeros(I, D));
            duT.add(B.zeros(I, D));
            ddT.add(B.zeros(D, I));
        }
        RouterSpec spec = new RouterSpec(RouterSpec.Rule.SOFTMAX, E, k, 1, 1, false, 1f);
        Routing routing = new Routing(spec, B.uploadInts(idx, T, k), B.upload(weight, T, k));
        Tensor[] d = B.expertsBackward(B.upload(g, T, D), B.upload(x, T, D), routing, new ExpertWeights(gT, uT, dT),
                new ExpertWeights(dgT, duT, ddT));

        double[] xd = doubles(x), wd = doubles(weight);
        List<double[]> gd = gate.stream().map(FiniteDifference::doubles).toList();
        List<double[]> ud = up.stream().map(FiniteDifference::doubles).toList();
        List<double[]> dd = down.stream().map(FiniteDifference::doubles).toList();
        java.util.function.DoubleSupplier f = () -> {
            double s = 0;
            for (int t = 0; t < T; t++) {
                for (int j = 0; j < k; j++) {
                    int e = idx[t * k + j];
                    double[] y = Reference.expert(xd, t * D, D, gd.get(e), ud.get(e), dd.get(e), I);
                    for (int c = 0; c < D; c++) s += g[t * D + c] * wd[t * k + j] * y[c];
                }
            }
            return s;
        };
        check("experts dx", xd, B.download(d[0]), f);
        check("experts dWeight", wd, B.download(d[1]), f);
        for (int e = 0; e < 3; e++) {
            check("expert " + e + " dGate", gd.get(e), B.download(dgT.get(e)), f);
            check("expert " + e + " dUp", ud.get(e), B.download(duT.get(e)), f);
            check("expert " + e + " dDown", dd.get(e), B.download(ddT.get(e)), f);
        }
        assertEquals(0.0, B.sumOfSquares(dgT.get(3)) + B.sumOfSquares(duT.get(3)) + B.sumOfSquares(ddT.get(3)), "unused expert");
        // Forward agrees with the reference too.
        float[] y = B.download(B.experts(B.upload(x, T, D), routing, new ExpertWeights(gT, uT, dT)));
        for (int t = 0; t < T; t++) {
            double[] want = new double[D];
            for (int j = 0; j < k; j++) {
                int e = idx[t * k + j];
                double[] ye = Reference.expert(xd, t * D, D, gd.get(e), ud.get(e), dd.get(e), I);
                for (int c = 0; c < D; c++) want[c] += wd[t * k + j] * ye[c];
            }
            for (int c = 0; c < D; c++) assertEquals(want[c], y[t * D + c], 1e-4, "experts forward");
        }
    }

    @Test
    void nextTokenLossBackward() {
        int T = 5, V = 11;
        int[] ids = {3, 0, 10, 3, 7};
        float[] logits = randomFloats(rnd, T * V, 2.0);
        float scale = 0.7f;
        float[] analytic = B.download(B.nextTokenLossBackward(B.upload(logits, T, V), B.uploadInts(ids, T), scale));
        double[] ld = doubles(logits);
        check("loss dLogits", ld, analytic, () -> scale * Reference.nextTokenLoss(ld, ids));
        for (int v = 0; v < V; v++) assertEquals(0f, analytic[(T - 1) * V + v], "the last position predicts nothing");
        float[] one = B.download(B.nextTokenLossBackward(B.upload(rand(V), 1, V), B.uploadInts(new int[]{2}, 1), 1f));
        assertArrayEquals(new float[V], one, "one token has no loss, hence no gradient");
    }

    @Test
    void softmaxWeightedSumBackward() {
        int T = 6, E = 8;
        float[] logits = randomFloats(rnd, T * E, 2.0), c = new float[E];
        for (int e = 0; e < E; e++) c[e] = (float) rnd.nextDouble();
        float[] analytic = B.download(B.softmaxWeightedSumBackward(B.upload(logits, T, E), c, 1.3f));
        double[] ld = doubles(logits);
        check("softmaxWeightedSum dLogits", ld, analytic, () -> Reference.softmaxWeightedSum(ld, c, 1.3));
    }
}
