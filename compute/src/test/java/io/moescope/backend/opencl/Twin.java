package io.moescope.backend.opencl;

import io.moescope.backend.Backend;
import io.moescope.backend.ExpertWeights;
import io.moescope.backend.Tensor;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The same host values uploaded once to each backend they are used on, so that the OpenCL tests
 * of kernel paths can run one operation on the reference backend and on OpenCL and compare.
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

    /** Random SwiGLU experts [I, D], [I, D], [D, I], as twins to upload on either backend. */
    static Twin[][] experts(Random rnd, int E, int D, int I) {
        Twin[][] w = new Twin[3][E];
        for (int e = 0; e < E; e++) {
            w[0][e] = Twin.random(rnd, 0.4f, I, D);
            w[1][e] = Twin.random(rnd, 0.4f, I, D);
            w[2][e] = Twin.random(rnd, 0.4f, D, I);
        }
        return w;
    }

    /** The experts of {@link #experts(Random, int, int, int)} on b. */
    static ExpertWeights on(Backend b, Twin[][] w) {
        List<Tensor> g = new ArrayList<>(), u = new ArrayList<>(), d = new ArrayList<>();
        for (int e = 0; e < w[0].length; e++) {
            g.add(w[0][e].on(b));
            u.add(w[1][e].on(b));
            d.add(w[2][e].on(b));
        }
        return new ExpertWeights(g, u, d);
    }
}
