package io.moescope.backend.java;

import io.moescope.tensor.FloatTensor;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * A weight w [N, K] (a linear layer's, used as x w^T) repacked for the matrix product: panels of
 * {@link #WIDTH} output columns, each stored k-major, {@code panels[p][k*WIDTH + c] =
 * w[p*WIDTH + c][k]}, zero past N. The product then reads one panel row as a few vectors, broadcasts
 * one input value per token, and writes whole rows of the result: no packing of the input, no
 * transposition of the output, and the input rows may be gathered (any row offsets), which the
 * experts use instead of copying their tokens. Weights do not change between calls, so a tensor
 * keeps its panels ({@link JavaTensor#panels()}).
 *
 * <p>Each panel is an array of its own (96 KB at K = 512): as one array, an expert's 2.2 MB of
 * panels would take a whole 4 MB humongous region of G1, so the benchmark model's 0.45 GB of
 * panels held 1.5 GB of regions and kept the old generation above the occupancy at which G1
 * starts marking, with long mixed collections every few passes. (Native memory avoids that too,
 * but the kernel reading a MemorySegment measured 40% slower on the experts.)
 */
final class WeightPanels {
    private static final VectorSpecies<Float> S = VectorKernels.S;
    private static final int L = S.length();

    /**
     * Whether vectors are long enough to assume AVX-512's 32 registers. With shorter vectors
     * (AVX2: 8 lanes, 16 registers) the 4 x 3-vector block used all 16 registers and left the
     * broadcast none, so the register allocator spilled; that path ran at a quarter of the
     * AVX-512 one's speed per core.
     */
    private static final boolean WIDE = L >= 16;
    /** Output columns per panel: three vectors with AVX-512, two otherwise. */
    static final int WIDTH = (WIDE ? 3 : 2) * L;
    /**
     * Tokens per call of the kernel: 8 (8 x 3 accumulators + 3 weight vectors + 1 broadcast fill
     * the 32 vector registers of AVX-512), or 6 where vectors are shorter (6 x 2 accumulators +
     * 2 weight vectors + 1 broadcast: 15 of AVX2's 16).
     */
    static final int ROWS = WIDE ? 8 : 6;
    /** Panel rows per pass of the AVX-512 kernel over a block of rows: 128 x 48 floats, 24 KB. */
    private static final int KC = 128;

    final int n, k;
    private final float[][] panels;

    private WeightPanels(int n, int k, float[][] panels) {
        this.n = n;
        this.k = k;
        this.panels = panels;
    }

    int panelCount() {
        return (n + WIDTH - 1) / WIDTH;
    }

    /** Packs w [N, K], float32 from byte offset 0 of the segment (a heap array's view or a mapping). */
    static WeightPanels pack(MemorySegment w, int N, int K) {
        int count = (N + WIDTH - 1) / WIDTH;
        float[][] p = new float[count][];
        for (int q = 0; q < count; q++) {
            float[] panel = new float[Math.multiplyExact(K, WIDTH)];
            for (int c = 0; c < WIDTH && q * WIDTH + c < N; c++) {
                long row = (long) (q * WIDTH + c) * K;
                for (int kk = 0; kk < K; kk++) panel[kk * WIDTH + c] = w.getAtIndex(FloatTensor.LAYOUT, row + kk);
            }
            p[q] = panel;
        }
        return new WeightPanels(N, K, p);
    }

    /**
     * out[oo + r*ldo + j] = sum over k of x[xRows[r] + k] * w[j][k] (+ bias[j]) for rows r in [r0, r1) and
     * the columns j of panels [p0, p1). xRows must hold valid offsets up to r1 + ROWS - 1: the
     * kernel always reads a full block of rows and stores only those asked for.
     */
    void multiply(float[] x, int[] xRows, int r0, int r1, int p0, int p1, float[] out, int oo, int ldo, float[] bias) {
        for (int p = p0; p < p1; p++) {
            float[] wp = panels[p];
            int j0 = p * WIDTH, cols = Math.min(WIDTH, n - j0);
            int r = r0;
            if (!WIDE) {
                for (; r < r1; r += 6) rows6(x, xRows, r, Math.min(6, r1 - r), wp, out, oo + r * ldo + j0, ldo, j0, cols, bias);
                continue;
            }
            // A full panel without bias goes KC rows of the panel at a time, each chunk meeting all
            // row blocks while it is in L1 (the whole panel, 96 KB at K = 512, is not), the
            // blocks adding to what the chunks before stored.
            int step = cols == WIDTH && bias == null ? KC : k;
            for (int k0 = 0; k0 < k; k0 += step) {
                int k1 = Math.min(k, k0 + step);
                boolean acc = k0 > 0;
                for (r = r0; r1 - r > 4; r += 8) rows8(x, xRows, r, Math.min(8, r1 - r), wp, out, oo + r * ldo + j0, ldo, j0, cols, bias, k0, k1, acc);
                for (; r < r1; r += 4) rows4(x, xRows, r, Math.min(4, r1 - r), wp, out, oo + r * ldo + j0, ldo, j0, cols, bias, k0, k1, acc);
            }
        }
    }

    /** Sums over k in [k0, k1); acc: add to what out holds (only for a full panel without bias). */
    private void rows8(float[] x, int[] xRows, int r, int rows, float[] wp, float[] out, int at, int ldo, int j0, int cols, float[] bias,
            int k0, int k1, boolean acc) {
        int o0 = xRows[r], o1 = xRows[r + 1], o2 = xRows[r + 2], o3 = xRows[r + 3];
        int o4 = xRows[r + 4], o5 = xRows[r + 5], o6 = xRows[r + 6], o7 = xRows[r + 7];
        FloatVector c00 = FloatVector.zero(S), c01 = c00, c02 = c00, c10 = c00, c11 = c00, c12 = c00;
        FloatVector c20 = c00, c21 = c00, c22 = c00, c30 = c00, c31 = c00, c32 = c00;
        FloatVector c40 = c00, c41 = c00, c42 = c00, c50 = c00, c51 = c00, c52 = c00;
        FloatVector c60 = c00, c61 = c00, c62 = c00, c70 = c00, c71 = c00, c72 = c00;
        if (acc) {
            int a = at;
            c00 = FloatVector.fromArray(S, out, a);
            c01 = FloatVector.fromArray(S, out, a + L);
            c02 = FloatVector.fromArray(S, out, a + 2 * L);
            if (rows > 1) { a += ldo; c10 = FloatVector.fromArray(S, out, a); c11 = FloatVector.fromArray(S, out, a + L); c12 = FloatVector.fromArray(S, out, a + 2 * L); }
            if (rows > 2) { a += ldo; c20 = FloatVector.fromArray(S, out, a); c21 = FloatVector.fromArray(S, out, a + L); c22 = FloatVector.fromArray(S, out, a + 2 * L); }
            if (rows > 3) { a += ldo; c30 = FloatVector.fromArray(S, out, a); c31 = FloatVector.fromArray(S, out, a + L); c32 = FloatVector.fromArray(S, out, a + 2 * L); }
            if (rows > 4) { a += ldo; c40 = FloatVector.fromArray(S, out, a); c41 = FloatVector.fromArray(S, out, a + L); c42 = FloatVector.fromArray(S, out, a + 2 * L); }
            if (rows > 5) { a += ldo; c50 = FloatVector.fromArray(S, out, a); c51 = FloatVector.fromArray(S, out, a + L); c52 = FloatVector.fromArray(S, out, a + 2 * L); }
            if (rows > 6) { a += ldo; c60 = FloatVector.fromArray(S, out, a); c61 = FloatVector.fromArray(S, out, a + L); c62 = FloatVector.fromArray(S, out, a + 2 * L); }
            if (rows > 7) { a += ldo; c70 = FloatVector.fromArray(S, out, a); c71 = FloatVector.fromArray(S, out, a + L); c72 = FloatVector.fromArray(S, out, a + 2 * L); }
        }
        for (int kk = k0; kk < k1; kk++) {
            int wi = kk * WIDTH;
            FloatVector w0 = FloatVector.fromArray(S, wp, wi), w1 = FloatVector.fromArray(S, wp, wi + L);
            FloatVector w2 = FloatVector.fromArray(S, wp, wi + 2 * L);
            FloatVector b = FloatVector.broadcast(S, x[o0 + kk]);
            c00 = b.fma(w0, c00);
            c01 = b.fma(w1, c01);
            c02 = b.fma(w2, c02);
            b = FloatVector.broadcast(S, x[o1 + kk]);
            c10 = b.fma(w0, c10);
            c11 = b.fma(w1, c11);
            c12 = b.fma(w2, c12);
            b = FloatVector.broadcast(S, x[o2 + kk]);
            c20 = b.fma(w0, c20);
            c21 = b.fma(w1, c21);
            c22 = b.fma(w2, c22);
            b = FloatVector.broadcast(S, x[o3 + kk]);
            c30 = b.fma(w0, c30);
            c31 = b.fma(w1, c31);
            c32 = b.fma(w2, c32);
            b = FloatVector.broadcast(S, x[o4 + kk]);
            c40 = b.fma(w0, c40);
            c41 = b.fma(w1, c41);
            c42 = b.fma(w2, c42);
            b = FloatVector.broadcast(S, x[o5 + kk]);
            c50 = b.fma(w0, c50);
            c51 = b.fma(w1, c51);
            c52 = b.fma(w2, c52);
            b = FloatVector.broadcast(S, x[o6 + kk]);
            c60 = b.fma(w0, c60);
            c61 = b.fma(w1, c61);
            c62 = b.fma(w2, c62);
            b = FloatVector.broadcast(S, x[o7 + kk]);
            c70 = b.fma(w0, c70);
            c71 = b.fma(w1, c71);
            c72 = b.fma(w2, c72);
        }
        // Full panels without bias store straight from the registers; the rest goes through a
        // buffer (a vector passed to a method that is not inlined would be boxed).
        float[] dst = out;
        int o = at, ld = ldo;
        boolean direct = cols == WIDTH && bias == null;
        if (!direct) {
            dst = new float[8 * WIDTH];
            o = 0;
            ld = WIDTH;
        }
        c00.intoArray(dst, o);
        c01.intoArray(dst, o + L);
        c02.intoArray(dst, o + 2 * L);
        if (rows > 1) {
            o += ld;
            c10.intoArray(dst, o);
            c11.intoArray(dst, o + L);
            c12.intoArray(dst, o + 2 * L);
        }
        if (rows > 2) {
            o += ld;
            c20.intoArray(dst, o);
            c21.intoArray(dst, o + L);
            c22.intoArray(dst, o + 2 * L);
        }
        if (rows > 3) {
            o += ld;
            c30.intoArray(dst, o);
            c31.intoArray(dst, o + L);
            c32.intoArray(dst, o + 2 * L);
        }
        if (rows > 4) {
            o += ld;
            c40.intoArray(dst, o);
            c41.intoArray(dst, o + L);
            c42.intoArray(dst, o + 2 * L);
        }
        if (rows > 5) {
            o += ld;
            c50.intoArray(dst, o);
            c51.intoArray(dst, o + L);
            c52.intoArray(dst, o + 2 * L);
        }
        if (rows > 6) {
            o += ld;
            c60.intoArray(dst, o);
            c61.intoArray(dst, o + L);
            c62.intoArray(dst, o + 2 * L);
        }
        if (rows > 7) {
            o += ld;
            c70.intoArray(dst, o);
            c71.intoArray(dst, o + L);
            c72.intoArray(dst, o + 2 * L);
        }
        if (!direct) finish(dst, rows, out, at, ldo, cols, bias, j0);
    }

    /** Sums over k in [k0, k1); acc: add to what out holds (only for a full panel without bias). */
    private void rows4(float[] x, int[] xRows, int r, int rows, float[] wp, float[] out, int at, int ldo, int j0, int cols, float[] bias,
            int k0, int k1, boolean acc) {
        int o0 = xRows[r], o1 = xRows[r + 1], o2 = xRows[r + 2], o3 = xRows[r + 3];
        FloatVector c00 = FloatVector.zero(S), c01 = c00, c02 = c00, c10 = c00, c11 = c00, c12 = c00;
        FloatVector c20 = c00, c21 = c00, c22 = c00, c30 = c00, c31 = c00, c32 = c00;
        if (acc) {
            int a = at;
            c00 = FloatVector.fromArray(S, out, a);
            c01 = FloatVector.fromArray(S, out, a + L);
            c02 = FloatVector.fromArray(S, out, a + 2 * L);
            if (rows > 1) { a += ldo; c10 = FloatVector.fromArray(S, out, a); c11 = FloatVector.fromArray(S, out, a + L); c12 = FloatVector.fromArray(S, out, a + 2 * L); }
            if (rows > 2) { a += ldo; c20 = FloatVector.fromArray(S, out, a); c21 = FloatVector.fromArray(S, out, a + L); c22 = FloatVector.fromArray(S, out, a + 2 * L); }
            if (rows > 3) { a += ldo; c30 = FloatVector.fromArray(S, out, a); c31 = FloatVector.fromArray(S, out, a + L); c32 = FloatVector.fromArray(S, out, a + 2 * L); }
        }
        for (int kk = k0; kk < k1; kk++) {
            int wi = kk * WIDTH;
            FloatVector w0 = FloatVector.fromArray(S, wp, wi), w1 = FloatVector.fromArray(S, wp, wi + L);
            FloatVector w2 = FloatVector.fromArray(S, wp, wi + 2 * L);
            FloatVector b = FloatVector.broadcast(S, x[o0 + kk]);
            c00 = b.fma(w0, c00);
            c01 = b.fma(w1, c01);
            c02 = b.fma(w2, c02);
            b = FloatVector.broadcast(S, x[o1 + kk]);
            c10 = b.fma(w0, c10);
            c11 = b.fma(w1, c11);
            c12 = b.fma(w2, c12);
            b = FloatVector.broadcast(S, x[o2 + kk]);
            c20 = b.fma(w0, c20);
            c21 = b.fma(w1, c21);
            c22 = b.fma(w2, c22);
            b = FloatVector.broadcast(S, x[o3 + kk]);
            c30 = b.fma(w0, c30);
            c31 = b.fma(w1, c31);
            c32 = b.fma(w2, c32);
        }
        float[] dst = out;
        int o = at, ld = ldo;
        boolean direct = cols == WIDTH && bias == null;
        if (!direct) {
            dst = new float[4 * WIDTH];
            o = 0;
            ld = WIDTH;
        }
        c00.intoArray(dst, o);
        c01.intoArray(dst, o + L);
        c02.intoArray(dst, o + 2 * L);
        if (rows > 1) {
            o += ld;
            c10.intoArray(dst, o);
            c11.intoArray(dst, o + L);
            c12.intoArray(dst, o + 2 * L);
        }
        if (rows > 2) {
            o += ld;
            c20.intoArray(dst, o);
            c21.intoArray(dst, o + L);
            c22.intoArray(dst, o + 2 * L);
        }
        if (rows > 3) {
            o += ld;
            c30.intoArray(dst, o);
            c31.intoArray(dst, o + L);
            c32.intoArray(dst, o + 2 * L);
        }
        if (!direct) finish(dst, rows, out, at, ldo, cols, bias, j0);
    }

    /** The short-vector kernel: 6 rows times two vectors. */
    private void rows6(float[] x, int[] xRows, int r, int rows, float[] wp, float[] out, int at, int ldo, int j0, int cols, float[] bias) {
        int K = k;
        int o0 = xRows[r], o1 = xRows[r + 1], o2 = xRows[r + 2], o3 = xRows[r + 3];
        int o4 = xRows[r + 4], o5 = xRows[r + 5];
        FloatVector c00 = FloatVector.zero(S), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
        FloatVector c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
        for (int kk = 0; kk < K; kk++) {
            int wi = kk * WIDTH;
            FloatVector w0 = FloatVector.fromArray(S, wp, wi), w1 = FloatVector.fromArray(S, wp, wi + L);
            FloatVector b = FloatVector.broadcast(S, x[o0 + kk]);
            c00 = b.fma(w0, c00);
            c01 = b.fma(w1, c01);
            b = FloatVector.broadcast(S, x[o1 + kk]);
            c10 = b.fma(w0, c10);
            c11 = b.fma(w1, c11);
            b = FloatVector.broadcast(S, x[o2 + kk]);
            c20 = b.fma(w0, c20);
            c21 = b.fma(w1, c21);
            b = FloatVector.broadcast(S, x[o3 + kk]);
            c30 = b.fma(w0, c30);
            c31 = b.fma(w1, c31);
            b = FloatVector.broadcast(S, x[o4 + kk]);
            c40 = b.fma(w0, c40);
            c41 = b.fma(w1, c41);
            b = FloatVector.broadcast(S, x[o5 + kk]);
            c50 = b.fma(w0, c50);
            c51 = b.fma(w1, c51);
        }
        float[] dst = out;
        int o = at, ld = ldo;
        boolean direct = cols == WIDTH && bias == null;
        if (!direct) {
            dst = new float[6 * WIDTH];
            o = 0;
            ld = WIDTH;
        }
        c00.intoArray(dst, o);
        c01.intoArray(dst, o + L);
        if (rows > 1) {
            o += ld;
            c10.intoArray(dst, o);
            c11.intoArray(dst, o + L);
        }
        if (rows > 2) {
            o += ld;
            c20.intoArray(dst, o);
            c21.intoArray(dst, o + L);
        }
        if (rows > 3) {
            o += ld;
            c30.intoArray(dst, o);
            c31.intoArray(dst, o + L);
        }
        if (rows > 4) {
            o += ld;
            c40.intoArray(dst, o);
            c41.intoArray(dst, o + L);
        }
        if (rows > 5) {
            o += ld;
            c50.intoArray(dst, o);
            c51.intoArray(dst, o + L);
        }
        if (!direct) finish(dst, rows, out, at, ldo, cols, bias, j0);
    }

    /** Rows of a block's results, WIDTH apart in buf, into out (ldo apart) with the bias, the first cols columns only. */
    private static void finish(float[] buf, int rows, float[] out, int o, int ldo, int cols, float[] bias, int j0) {
        for (int i = 0; i < rows; i++) {
            int src = i * WIDTH, dst = o + i * ldo;
            if (bias == null) {
                System.arraycopy(buf, src, out, dst, cols);
            } else {
                for (int c = 0; c < cols; c++) out[dst + c] = buf[src + c] + bias[j0 + c];
            }
        }
    }
}
