package io.moescope.backend.java;

import io.moescope.tensor.FloatTensor;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/** The inner loops the CPU backend spends its time in, written with the Vector API. */
final class VectorKernels {
    private VectorKernels() {}

    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    /** Lane i to lane i ^ (L / 2), then i ^ (L / 4), ... i ^ 1: the steps of {@link #sum}. */
    private static final VectorShuffle<Float>[] HALVES = halves();

    @SuppressWarnings("unchecked")
    private static VectorShuffle<Float>[] halves() {
        int steps = Integer.numberOfTrailingZeros(S.length());
        VectorShuffle<Float>[] h = new VectorShuffle[steps];
        for (int k = 0; k < steps; k++) {
            int stride = S.length() >> (k + 1);
            h[k] = VectorShuffle.fromOp(S, i -> i ^ stride);
        }
        return h;
    }

    // e^x for each lane (Cephes' expf): x = n ln 2 + r with |r| <= ln 2 / 2, e^r by a polynomial, times 2^n
    // made from exponent bits in two halves so that n from -150 to 128 stays in range.
    private static final float EXP_MAX = 88.72283f, EXP_MIN = -104f, ROUNDER = 12582912f;   // 1.5 * 2^23
    private static final float LN2_HI = 0.693359375f, LN2_LO = -2.12194440e-4f, LOG2E = 1.44269504088896341f;

    /**
     * e^x in every lane, the same bits whatever runs it: only adds, multiplies and bit operations.
     * {@code lanewise(EXP)} is SVML once the JIT has compiled the caller and Math.exp lane by lane before,
     * which round differently. Within 2 ulp of Math.exp; 0 below -104 (and for -inf), +inf above 88.72, NaN for NaN.
     */
    static FloatVector exp(FloatVector x) {
        VectorMask<Float> under = x.compare(VectorOperators.LT, EXP_MIN), over = x.compare(VectorOperators.GT, EXP_MAX);
        FloatVector c = x.max(EXP_MIN).min(EXP_MAX);
        FloatVector n = c.fma(LOG2E, ROUNDER).sub(ROUNDER);   // round(c log2(e)), ties to even
        FloatVector r = n.fma(FloatVector.broadcast(S, -LN2_HI), c);
        r = n.fma(FloatVector.broadcast(S, -LN2_LO), r);
        FloatVector p = r.fma(1.9875691500e-4f, 1.3981999507e-3f);
        p = p.fma(r, FloatVector.broadcast(S, 8.3334519073e-3f));
        p = p.fma(r, FloatVector.broadcast(S, 4.1665795894e-2f));
        p = p.fma(r, FloatVector.broadcast(S, 1.6666665459e-1f));
        p = p.fma(r, FloatVector.broadcast(S, 5.0000001201e-1f));
        FloatVector y = p.fma(r.mul(r), r).add(1f);
        IntVector ni = (IntVector) n.convert(VectorOperators.F2I, 0);
        IntVector a = ni.lanewise(VectorOperators.ASHR, 1), b = ni.sub(a);
        y = y.mul(a.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats())
                .mul(b.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats());
        return y.blend(0f, under).blend(Float.POSITIVE_INFINITY, over);
    }

    /**
     * The sum of the lanes, always in the same order: each lane adds its partner half a vector away, then a
     * quarter, down to the neighbour. {@code reduceLanes(ADD)} adds in the order of whichever code runs it, a
     * loop over the lanes before the JIT compiles the caller and a tree after, so the same forward pass or
     * gradient came out different in the last bits from one run to the next.
     */
    static float sum(FloatVector v) {
        for (VectorShuffle<Float> h : HALVES) v = v.add(v.rearrange(h));
        return v.lane(0);
    }

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
        float s = sum(acc);
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
        float s0 = sum(a0), s1 = sum(a1);
        float s2 = sum(a2), s3 = sum(a3);
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
        float s = sum(acc);
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

    /** y[yo ..] += alpha * (float32 row of w at byte offset wo), over n values. */
    static void axpy(float alpha, MemorySegment w, long wo, float[] y, int yo, int n) {
        int i = 0;
        int bound = S.loopBound(n);
        FloatVector a = FloatVector.broadcast(S, alpha);
        for (; i < bound; i += S.length()) {
            FloatVector.fromMemorySegment(S, w, wo + 4L * i, ByteOrder.LITTLE_ENDIAN)
                    .fma(a, FloatVector.fromArray(S, y, yo + i)).intoArray(y, yo + i);
        }
        for (; i < n; i++) y[yo + i] += alpha * w.getAtIndex(FloatTensor.LAYOUT, (wo >> 2) + i);
    }

    // ---- attention's products: queries (or probabilities) along the lanes ----------------------
    // Outer-product form, so that no horizontal sums are needed: queries go along the vector lanes
    // (packed transposed, PANEL at a time) and keys or value columns are broadcast one at a time
    // from TILE rows, which stay in L1 while the panel streams by. The TILE x PANEL block of
    // results lives in 16 vector registers for the whole K loop. (Linear layers use WeightPanels.)

    /** Tokens per panel: two vectors. */
    static final int PANEL = 2 * S.length();
    /** Weight rows per tile. */
    static final int TILE = 8;

    /**
     * acc[ao + r*PANEL + c] = sum over k in [0, K) of w[wo + r*ldw + k] * xt[xo + k*PANEL + c], for
     * TILE rows of w (ldw apart) and PANEL tokens.
     */
    static void kernel(float[] w, int wo, int ldw, float[] xt, int xo, int K, float[] acc, int ao) {
        int L = S.length();
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S), c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S), c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S), c50 = FloatVector.zero(S), c51 = FloatVector.zero(S);
        FloatVector c60 = FloatVector.zero(S), c61 = FloatVector.zero(S), c70 = FloatVector.zero(S), c71 = FloatVector.zero(S);
        int w0 = wo, w1 = wo + ldw, w2 = wo + 2 * ldw, w3 = wo + 3 * ldw, w4 = wo + 4 * ldw, w5 = wo + 5 * ldw, w6 = wo + 6 * ldw, w7 = wo + 7 * ldw;
        // One row of the register block a line.
        for (int k = 0; k < K; k++) {
            int xi = xo + k * PANEL;
            FloatVector x0 = FloatVector.fromArray(S, xt, xi), x1 = FloatVector.fromArray(S, xt, xi + L);
            FloatVector b = FloatVector.broadcast(S, w[w0 + k]); c00 = b.fma(x0, c00); c01 = b.fma(x1, c01);
            b = FloatVector.broadcast(S, w[w1 + k]); c10 = b.fma(x0, c10); c11 = b.fma(x1, c11);
            b = FloatVector.broadcast(S, w[w2 + k]); c20 = b.fma(x0, c20); c21 = b.fma(x1, c21);
            b = FloatVector.broadcast(S, w[w3 + k]); c30 = b.fma(x0, c30); c31 = b.fma(x1, c31);
            b = FloatVector.broadcast(S, w[w4 + k]); c40 = b.fma(x0, c40); c41 = b.fma(x1, c41);
            b = FloatVector.broadcast(S, w[w5 + k]); c50 = b.fma(x0, c50); c51 = b.fma(x1, c51);
            b = FloatVector.broadcast(S, w[w6 + k]); c60 = b.fma(x0, c60); c61 = b.fma(x1, c61);
            b = FloatVector.broadcast(S, w[w7 + k]); c70 = b.fma(x0, c70); c71 = b.fma(x1, c71);
        }
        int P = PANEL;
        c00.intoArray(acc, ao); c01.intoArray(acc, ao + L);
        c10.intoArray(acc, ao + P); c11.intoArray(acc, ao + P + L);
        c20.intoArray(acc, ao + 2 * P); c21.intoArray(acc, ao + 2 * P + L);
        c30.intoArray(acc, ao + 3 * P); c31.intoArray(acc, ao + 3 * P + L);
        c40.intoArray(acc, ao + 4 * P); c41.intoArray(acc, ao + 4 * P + L);
        c50.intoArray(acc, ao + 5 * P); c51.intoArray(acc, ao + 5 * P + L);
        c60.intoArray(acc, ao + 6 * P); c61.intoArray(acc, ao + 6 * P + L);
        c70.intoArray(acc, ao + 7 * P); c71.intoArray(acc, ao + 7 * P + L);
    }

    /**
     * In place, for rows [0, n) of a key-major panel block (PANEL columns, one per query):
     * pt = exp(pt - column max), and sums[c] = the sum of column c. -inf (masked) becomes 0.
     */
    static void expColumns(float[] pt, int n, float[] sums) {
        int L = S.length(), P = PANEL;
        FloatVector m0 = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY), m1 = m0;
        for (int j = 0; j < n; j++) {
            m0 = m0.max(FloatVector.fromArray(S, pt, j * P));
            m1 = m1.max(FloatVector.fromArray(S, pt, j * P + L));
        }
        FloatVector s0 = FloatVector.zero(S), s1 = FloatVector.zero(S);
        for (int j = 0; j < n; j++) {
            FloatVector e0 = exp(FloatVector.fromArray(S, pt, j * P).sub(m0));
            FloatVector e1 = exp(FloatVector.fromArray(S, pt, j * P + L).sub(m1));
            e0.intoArray(pt, j * P);
            e1.intoArray(pt, j * P + L);
            s0 = s0.add(e0);
            s1 = s1.add(e1);
        }
        s0.intoArray(sums, 0);
        s1.intoArray(sums, L);
    }

    /** g[go + i] = silu(g) * u = g / (1 + exp(-g)) * u[uo + i] for i in [0, n), in place. */
    static void swiglu(float[] g, int go, float[] u, int uo, int n) {
        int i = 0;
        int bound = S.loopBound(n);
        FloatVector one = FloatVector.broadcast(S, 1f);
        for (; i < bound; i += S.length()) {
            FloatVector gv = FloatVector.fromArray(S, g, go + i);
            FloatVector e = exp(gv.neg());
            gv.div(e.add(one)).mul(FloatVector.fromArray(S, u, uo + i)).intoArray(g, go + i);
        }
        for (; i < n; i++) g[go + i] = g[go + i] / (1f + (float) Math.exp(-g[go + i])) * u[uo + i];
    }

    /** out[o + i] = w[i] * (x[o + i] * s) for i in [0, n): RMSNorm's last step, rounded as the scalar loop was. */
    static void scaleTimes(float[] x, int o, float s, float[] w, float[] out, int n) {
        int i = 0;
        int bound = S.loopBound(n);
        for (; i < bound; i += S.length()) {
            FloatVector.fromArray(S, w, i).mul(FloatVector.fromArray(S, x, o + i).mul(s)).intoArray(out, o + i);
        }
        for (; i < n; i++) out[o + i] = w[i] * (x[o + i] * s);
    }

    /** The largest of x[o .. o+n), NaN if any is NaN. */
    static float max(float[] x, int o, int n) {
        FloatVector m = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
        int i = 0;
        int bound = S.loopBound(n);
        for (; i < bound; i += S.length()) m = m.max(FloatVector.fromArray(S, x, o + i));
        float r = m.reduceLanes(VectorOperators.MAX);
        for (; i < n; i++) r = Math.max(r, x[o + i]);
        return r;
    }

    /** Sum of exp(x[o + i] - max) over n values: float lanes, added up in double. */
    static double sumExp(float[] x, int o, int n, float max) {
        FloatVector acc = FloatVector.zero(S);
        int i = 0;
        int bound = S.loopBound(n);
        for (; i < bound; i += S.length()) {
            acc = acc.add(exp(FloatVector.fromArray(S, x, o + i).sub(max)));
        }
        double sum = 0;
        for (int l = 0; l < S.length(); l++) sum += acc.lane(l);
        for (; i < n; i++) sum += Math.exp(x[o + i] - max);
        return sum;
    }
}
