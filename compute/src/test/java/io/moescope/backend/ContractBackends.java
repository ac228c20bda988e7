package io.moescope.backend;

import io.moescope.backend.java.JavaBackend;
import io.moescope.backend.opencl.OpenClTesting;
import io.moescope.backend.ptx.PtxTesting;
import io.moescope.testing.Closeness;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Assertions;

/**
 * The backends {@link BackendContractTest} holds to the contract, by the name they have on the
 * command line, and the java backend they are compared with. Each backend is opened once for the
 * test run: opencl skips where OpenCL is missing, and fails there under MOESCOPE_REQUIRE_OPENCL=1
 * (CI installs PoCL and sets it); ptx skips without the NVIDIA driver. The java backend under test runs one thread against a reference of two, so its results
 * must not depend on how the work was split.
 */
public final class ContractBackends {
    private ContractBackends() {}

    private static JavaBackend reference, java;

    static synchronized Backend reference() {
        if (reference == null) reference = new JavaBackend(2);
        return reference;
    }

    static synchronized Backend open(String name) {
        return switch (name) {
            case "java" -> java == null ? (java = new JavaBackend(1)) : java;
            case "opencl" -> OpenClTesting.backend();
            case "ptx" -> PtxTesting.backend();
            default -> throw new IllegalArgumentException(name);
        };
    }

    /**
     * The closeness a backend is held to: what the OpenCL and PTX tests held each to before they
     * were one test, and for the java backend none at all (the same kernels in the same order).
     */
    public static double tolerance(String backend, double opencl, double ptx) {
        return switch (backend) {
            case "java" -> 0;
            case "opencl" -> opencl;
            default -> ptx;
        };
    }

    static float[] random(Random rnd, int n, float scale) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (rnd.nextFloat() * 2 - 1) * scale;
        return v;
    }

    /** Runs op on the reference and on b; compares the tensors it returns, in order, within rel x max |reference|. */
    static void compare(Backend b, String what, Function<Backend, Tensor[]> op, double rel) {
        Backend ref = reference();
        Tensor[] want = op.apply(ref), got = op.apply(b);
        Assertions.assertEquals(want.length, got.length);
        for (int i = 0; i < want.length; i++) {
            Closeness.assertClose(what + (want.length > 1 ? " output " + i : ""), ref.download(want[i]), b.download(got[i]), rel);
        }
    }

    /**
     * attentionBackward on b against the reference, with the probabilities the forward pass kept and
     * with them recomputed; also for a backend's own tests of its kernel paths.
     */
    public static void attentionBackward(String name, Backend b, int T, int H, int Hkv, int dqk, int dv, int window) {
        Random rnd = new Random(T * 7 + H);
        float[] q = random(rnd, T * H * dqk, 1f), k = random(rnd, T * Hkv * dqk, 1f), v = random(rnd, T * Hkv * dv, 1f);
        float[] dC = random(rnd, T * H * dv, 1f);
        AttentionSpec s = new AttentionSpec(T, H, Hkv, dqk, dv, (float) (1 / Math.sqrt(dqk)), window);
        for (boolean given : new boolean[]{true, false}) {
            String what = "attentionBackward (probabilities " + (given ? "given" : "recomputed") + ") ";
            Function<Backend, AttentionGradients> grads = x -> {
                Tensor qt = x.upload(q, T, H, dqk), kt = x.upload(k, T, Hkv, dqk), vt = x.upload(v, T, Hkv, dv);
                Tensor p = given ? x.attention(qt, kt, vt, s, true).probabilities() : null;
                return x.attentionBackward(x.upload(dC, T, H * dv), qt, kt, vt, p, s);
            };
            Backend ref = ContractBackends.reference();
            AttentionGradients want = grads.apply(ref), got = grads.apply(b);
            Closeness.assertClose(what + "dq", ref.download(want.dq()), b.download(got.dq()), tolerance(name, 1e-4, 5e-5));
            Closeness.assertClose(what + "dk", ref.download(want.dk()), b.download(got.dk()), tolerance(name, 1e-4, 5e-5));
            Closeness.assertClose(what + "dv", ref.download(want.dv()), b.download(got.dv()), tolerance(name, 1e-5, 5e-5));
        }
    }
}
