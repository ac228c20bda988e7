package io.moescope.backend.java;

import io.moescope.tensor.FloatTensor;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** The inner loops the CPU backend spends its time in, written with the Vector API. */
final class VectorKernels {
    private VectorKernels() {}

    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    /** Dot product of x[xo .. xo+n) with the float32 row of w starting at byte offset wo. */
    static float dot(float[] x, int xo, MemorySegment w, long wo, int n) {
        FloatVector acc = FloatVector.zero(S);
        int i = 0;
        int bound = S.loopBound(n);
        for (; i < bound; i += S.length()) {
            FloatVector a = FloatVector.fromArray(S, x, xo + i);
            FloatVector b = FloatVector.fromMemorySegment(S, w, wo + 4L * i, ByteOrder.LITTLE_ENDIAN);
            acc = a.fma(b, acc);
        }
        float s = acc.reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) s += x[xo + i] * w.getAtIndex(FloatTensor.LAYOUT, (wo >> 2) + i);
        return s;
    }

    /** Four dot products of four x rows with one w row, sharing the loads of w. */
    static void dot4(float[] x, int x0, int x1, int x2, int x3, MemorySegment w, long wo, int n, float[] out) {
        FloatVector a0 = FloatVector.zero(S), a1 = FloatVector.zero(S), a2 = FloatVector.zero(S), a3 = FloatVector.zero(S);
        int i = 0;
        int bound = S.loopBound(n);
        for (; i < bound; i += S.length()) {
            FloatVector b = FloatVector.fromMemorySegment(S, w, wo + 4L * i, ByteOrder.LITTLE_ENDIAN);
            a0 = FloatVector.fromArray(S, x, x0 + i).fma(b, a0);
            a1 = FloatVector.fromArray(S, x, x1 + i).fma(b, a1);
            a2 = FloatVector.fromArray(S, x, x2 + i).fma(b, a2);
            a3 = FloatVector.fromArray(S, x, x3 + i).fma(b, a3);
        }
        float s0 = a0.reduceLanes(VectorOperators.ADD), s1 = a1.reduceLanes(VectorOperators.ADD);
        float s2 = a2.reduceLanes(VectorOperators.ADD), s3 = a3.reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            float b = w.getAtIndex(FloatTensor.LAYOUT, (wo >> 2) + i);
            s0 += x[x0 + i] * b;
            s1 += x[x1 + i] * b;
            s2 += x[x2 + i] * b;
            s3 += x[x3 + i] * b;
        }
        out[0] = s0;
        out[1] = s1;
        out[2] = s2;
        out[3] = s3;
    }

    /** Dot product of two heap slices. */
    static float dot(float[] a, int ao, float[] b, int bo, int n) {
        FloatVector acc = FloatVector.zero(S);
        int i = 0;
        int bound = S.loopBound(n);
        for (; i < bound; i += S.length()) {
            acc = FloatVector.fromArray(S, a, ao + i).fma(FloatVector.fromArray(S, b, bo + i), acc);
        }
        float s = acc.reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) s += a[ao + i] * b[bo + i];
        return s;
    }

    /** y[yo ..] += alpha * x[xo ..] over n values. */
    static void axpy(float alpha, float[] x, int xo, float[] y, int yo, int n) {
        int i = 0;
        int bound = S.loopBound(n);
        FloatVector a = FloatVector.broadcast(S, alpha);
        for (; i < bound; i += S.length()) {
            FloatVector.fromArray(S, x, xo + i).fma(a, FloatVector.fromArray(S, y, yo + i)).intoArray(y, yo + i);
        }
        for (; i < n; i++) y[yo + i] += alpha * x[xo + i];
    }
}
