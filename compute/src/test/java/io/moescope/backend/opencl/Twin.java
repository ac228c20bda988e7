package io.moescope.backend.opencl;

import io.moescope.backend.Backend;
import io.moescope.backend.Tensor;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;

/**
 * The same host values uploaded once to each backend they are used on, so that one lambda can
 * run an operation on the reference backend and on OpenCL and the results be compared.
 */
final class Twin {
    private final float[] floats;
    private final int[] ints;
    private final int[] shape;
    private final Map<Backend, Tensor> uploaded = new IdentityHashMap<>();

    private Twin(float[] floats, int[] ints, int[] shape) {
        this.floats = floats;
        this.ints = ints;
        this.shape = shape;
    }

    static Twin of(float[] values, int... shape) {
        return new Twin(values, null, shape);
    }

    static Twin ints(int[] values, int... shape) {
        return new Twin(null, values, shape);
    }

    /** Values uniform in [-scale, scale). */
    static Twin random(Random rnd, float scale, int... shape) {
        int n = 1;
        for (int d : shape) n *= d;
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (rnd.nextFloat() * 2 - 1) * scale;
        return of(v, shape);
    }

    Tensor on(Backend b) {
        return uploaded.computeIfAbsent(b, k -> floats != null ? k.upload(floats, shape) : k.uploadInts(ints, shape));
    }

    float[] values() {
        return floats;
    }

    /** Runs op on both backends and compares the float results within rel x max |reference|. */
    static double compare(String what, Function<Backend, Tensor> op, double rel) {
        Backend ref = References.java(), cl = OpenClTesting.backend();
        float[] want = ref.download(op.apply(ref));
        float[] got = cl.download(op.apply(cl));
        return OpenClTesting.assertClose(what, want, got, rel);
    }
}
