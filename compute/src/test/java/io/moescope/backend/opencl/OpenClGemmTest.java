package io.moescope.backend.opencl;

import io.moescope.backend.Backend;
import io.moescope.backend.ExpertWeights;
import io.moescope.backend.RouterSpec;
import io.moescope.backend.Routing;
import io.moescope.backend.Tensor;
import io.moescope.testing.OpenClRequirement;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * gemm.cl built with several tiles, each against plain loops: shapes that are no multiple of any
 * tile, every layout the operations use, with and without float4 paths (odd leading dimensions),
 * bias, accumulation; and the experts' grouped products with empty experts and more experts than
 * one launch takes.
 */
class OpenClGemmTest {
    private static final double REL = 2e-5;

    static Stream<GemmConfig[]> tiles() {
        return Stream.of(new GemmConfig[]{GemmConfig.LARGE, GemmConfig.SMALL}, new GemmConfig[]{GemmConfig.MEDIUM, null},
                new GemmConfig[]{GemmConfig.SMALL, null}, new GemmConfig[]{new GemmConfig(32, 64, 8, 4, 8), null});
    }

    private static ClDevices.Found device() {
        OpenClRequirement.assumeAvailable();
        List<ClDevices.Found> all = ClDevices.all();
        return all.stream().filter(ClDevices.Found::gpu).findFirst().orElse(all.getFirst());
    }

    @ParameterizedTest
    @MethodSource("tiles")
    void productsMatchLoops(GemmConfig main, GemmConfig narrow) {
        ClContext cl = new ClContext(device(), main, narrow);
        // the backend owns the context: closing both would release it twice
        try (OpenClBackend b = new OpenClBackend(cl)) {
            Gemm gemm = new Gemm(cl);
            int[][] shapes = {{9, 7, 5}, {130, 67, 33}, {257, 129, 17}, {256, 128, 64}, {200, 300, 3}, {12, 260, 1}};
            Random rnd = new Random(main.hashCode());
            for (int[] s : shapes) {
                int M = s[0], N = s[1], K = s[2];
                String what = main + " " + M + "x" + N + "x" + K;
                float[] x = random(rnd, M * K), w = random(rnd, N * K), bias = random(rnd, N), dy = random(rnd, M * N);
                float[] old = random(rnd, M * K), oldW = random(rnd, N * K);
                try (OpenClTensor xd = up(cl, x, M, K); OpenClTensor wd = up(cl, w, N, K); OpenClTensor bd = up(cl, bias, N);
                     OpenClTensor dyd = up(cl, dy, M, N); OpenClTensor y = cl.floats(M, N); OpenClTensor dx = up(cl, old, M, K);
                     OpenClTensor dW = up(cl, oldW, N, K)) {
                    gemm.linear(xd, wd, bd, y, M, N, K);
                    OpenClTesting.assertClose(what + " x w^T + b", linear(x, w, bias, M, N, K), down(cl, y), REL);
                    gemm.inputGrad(dyd, wd, dx, M, N, K, true);
                    float[] wantDx = inputGrad(dy, w, M, N, K);
                    for (int i = 0; i < wantDx.length; i++) wantDx[i] += old[i];
                    OpenClTesting.assertClose(what + " dx + dy w", wantDx, down(cl, dx), REL);
                    gemm.inputGrad(dyd, wd, dx, M, N, K, false);
                    OpenClTesting.assertClose(what + " dy w", inputGrad(dy, w, M, N, K), down(cl, dx), REL);
                    gemm.weightGrad(dyd, xd, dW, M, N, K);
                    float[] wantDw = weightGrad(dy, x, M, N, K);
                    for (int i = 0; i < wantDw.length; i++) wantDw[i] += oldW[i];
                    OpenClTesting.assertClose(what + " dW + dy^T x", wantDw, down(cl, dW), REL);
                }
            }
            experts(b, main + " experts", 150, 21, 2, 36, 19, true);   // two launches of experts, several empty
            experts(b, main + " experts", 70, 5, 1, 8, 20, false);
        }
    }

    /** OpenCL's experts forward and backward against the Java backend's; skewed routes leave experts empty. */
    private static void experts(OpenClBackend b, String what, int T, int E, int k, int D, int I, boolean skew) {
        Backend java = References.java();
        Random rnd = new Random(T * 31 + E);
        float[] l = random(rnd, T * E);
        if (skew) for (int t = 0; t < T; t++) for (int e = 0; e < E; e++) if (e % 3 == 1) l[t * E + e] -= 30;
        Twin x = Twin.random(rnd, 1, T, D), logits = Twin.of(l, T, E), dOut = Twin.random(rnd, 1, T, D);
        Twin[][] w = Twin.experts(rnd, E, D, I), dw = Twin.experts(rnd, E, D, I);
        RouterSpec spec = new RouterSpec(RouterSpec.Rule.SOFTMAX, E, k, 1, 1, true, 1f);
        Tensor[][] got = new Tensor[2][];
        ExpertWeights[] dWeights = new ExpertWeights[2];
        Backend[] backends = {java, b};
        for (int i = 0; i < 2; i++) {
            Backend be = backends[i];
            Routing r = be.route(logits.on(be), spec, null);
            ExpertWeights ew = Twin.on(be, w);
            dWeights[i] = Twin.on(be, dw);
            Tensor[] back = be.expertsBackward(dOut.on(be), x.on(be), r, ew, dWeights[i]);
            got[i] = new Tensor[]{be.experts(x.on(be), r, ew), back[0], back[1]};
        }
        String[] names = {"y", "dx", "dWeight"};
        for (int j = 0; j < 3; j++) {
            OpenClTesting.assertClose(what + " " + names[j], java.download(got[0][j]), b.download(got[1][j]), REL);
        }
        for (int e = 0; e < E; e++) {
            OpenClTesting.assertClose(what + " dGate " + e, java.download(dWeights[0].gate().get(e)), b.download(dWeights[1].gate().get(e)), REL);
            OpenClTesting.assertClose(what + " dUp " + e, java.download(dWeights[0].up().get(e)), b.download(dWeights[1].up().get(e)), REL);
            OpenClTesting.assertClose(what + " dDown " + e, java.download(dWeights[0].down().get(e)), b.download(dWeights[1].down().get(e)), REL);
        }
    }

    private static float[] linear(float[] x, float[] w, float[] bias, int M, int N, int K) {
        return product(x, K, 1, w, K, 1, M, N, K, bias);
    }

    private static float[] inputGrad(float[] dy, float[] w, int M, int N, int K) {
        return product(dy, N, 1, w, 1, K, M, K, N, null);
    }

    private static float[] weightGrad(float[] dy, float[] x, int M, int N, int K) {
        return product(dy, 1, N, x, 1, K, N, K, M, null);
    }

    /** c [I, J] with c[i][j] = init[j] (or 0) + sum over t of a[i ai + t at] b[j bj + t bt], summed in double. */
    private static float[] product(float[] a, int ai, int at, float[] b, int bj, int bt, int I, int J, int T, float[] init) {
        float[] c = new float[I * J];
        for (int i = 0; i < I; i++) {
            for (int j = 0; j < J; j++) {
                double s = init == null ? 0 : init[j];
                for (int t = 0; t < T; t++) s += (double) a[i * ai + t * at] * b[j * bj + t * bt];
                c[i * J + j] = (float) s;
            }
        }
        return c;
    }

    private static float[] random(Random rnd, int n) {
        float[] f = new float[n];
        for (int i = 0; i < n; i++) f[i] = rnd.nextFloat() * 2 - 1;
        return f;
    }

    private static OpenClTensor up(ClContext cl, float[] v, int... shape) {
        OpenClTensor t = cl.floats(shape);
        cl.write(t.mem(), v);
        return t;
    }

    private static float[] down(ClContext cl, OpenClTensor t) {
        float[] out = new float[t.count()];
        cl.read(t.mem(), out);
        return out;
    }
}
