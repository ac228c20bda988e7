package io.moescope.backend.java;

import io.moescope.tensor.FloatTensor;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * A weight w [N, K] (a linear layer's, used as x w^T) repacked for the matrix product: panels of
 * {@link #width} output columns, each stored k-major, {@code panels[p][k*width + c] =
 * w[p*width + c][k]}, zero past N. The product then reads one panel row as a few vectors, broadcasts
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

    /** The register block of the product: rows of x per call times vectors of output columns. */
    enum Kernel {
        /**
         * AVX-512: 8 x 3 accumulators + 3 weight vectors + 1 broadcast fill the 32 registers.
         * 8 broadcasts per 24 FMAs.
         */
        R8X3(8, 3),
        /**
         * AVX-512: 6 x 4 accumulators + 4 weight vectors + 1 broadcast, 29 registers. Fewer
         * broadcasts per FMA (6 per 24), which compete with the FMAs for a port where they are not
         * folded into a load, and 64-column panels, which divide the usual widths (512, 1024, ...)
         * where 48 leaves a ragged last panel.
         */
        R6X4(6, 4),
        /** Shorter vectors (AVX2's 16 registers): 6 x 2 accumulators + 2 weight vectors + 1 broadcast. */
        R6X2(6, 2);

        /** Rows of x per call of the kernel. */
        final int rows;
        /** Output columns per panel. */
        final int width;

        Kernel(int rows, int vectors) {
            this.rows = rows;
            // VectorKernels' lanes, not WeightPanels.L: reading a WeightPanels static here would start
            // WeightPanels' initialisation inside Kernel's, and KERNEL would be set to a null constant.
            this.width = vectors * VectorKernels.S.length();
        }

        /**
         * The kernel for this machine: with AVX-512, -Dmoescope.java.kernel=8x3 (the default) or
         * 6x4, which only timing on the target can choose between.
         */
        static Kernel configured() {
            if (VectorKernels.S.length() < 16) return R6X2;  // as WIDE, without touching WeightPanels
            String k = System.getProperty("moescope.java.kernel", "8x3");
            return switch (k) {
                case "8x3" -> R8X3;
                case "6x4" -> R6X4;
                default -> throw new IllegalArgumentException("-Dmoescope.java.kernel: 8x3 or 6x4, got '" + k + "'");
            };
        }
    }

    /** The kernel that tensors' cached panels use. */
    static final Kernel KERNEL = Kernel.configured();
    /** Rows past the last that a kernel may read: callers pad their row offsets by this many. */
    static final int MAX_ROWS = 8;
    /** Panel rows per pass of the AVX-512 kernels over a block of rows: 128 x 48 floats is 24 KB. */
    private static final int KC = positive("moescope.java.kc", 128);

    /** An integer setting; one that is set but not a positive integer is refused, not ignored. */
    private static int positive(String property, int fallback) {
        String v = System.getProperty(property);
        if (v == null) return fallback;
        try {
            int n = Integer.parseInt(v.strip());
            if (n > 0) return n;
        } catch (NumberFormatException e) {
            // refused below
        }
        throw new IllegalArgumentException("-D" + property + ": a positive integer, got '" + v + "'");
    }

    final int n, k;
    final Kernel kernel;
    /** Output columns per panel: the kernel's. */
    final int width;
    private final float[][] panels;

    private WeightPanels(int n, int k, Kernel kernel, float[][] panels) {
        this.n = n;
        this.k = k;
        this.kernel = kernel;
        this.width = kernel.width;
        this.panels = panels;
    }

    int panelCount() {
        return (n + width - 1) / width;
    }

    /** Where packing reads a weight's values: elements [from, from + count) of w in row-major order, as float32. */
    interface Rows {
        void read(long from, float[] dst, int off, int count);
    }

    /** Packs w [N, K], float32 from byte offset 0 of the segment (a heap array's view or a mapping). */
    static WeightPanels pack(MemorySegment w, int N, int K) {
        return pack(w, N, K, KERNEL);
    }

    /** As above, for the given kernel. */
    static WeightPanels pack(MemorySegment w, int N, int K, Kernel kernel) {
        return pack((from, dst, off, count) -> MemorySegment.copy(w, FloatTensor.LAYOUT, from * 4, dst, off, count), N, K, kernel);
    }

    /** Packs w [N, K] read (and widened, for a stored weight) a row at a time. */
    static WeightPanels pack(Rows w, int N, int K) {
        return pack(w, N, K, KERNEL);
    }

    static WeightPanels pack(Rows w, int N, int K, Kernel kernel) {
        int W = kernel.width;
        int count = (N + W - 1) / W;
        float[][] p = new float[count][];
        float[] row = new float[K];
        for (int q = 0; q < count; q++) {
            float[] panel = new float[Math.multiplyExact(K, W)];
            for (int c = 0; c < W && q * W + c < N; c++) {
                w.read((long) (q * W + c) * K, row, 0, K);
                for (int kk = 0; kk < K; kk++) panel[kk * W + c] = row[kk];
            }
            p[q] = panel;
        }
        return new WeightPanels(N, K, kernel, p);
    }

    /**
     * out[oo + r*ldo + j] = sum over k of x[xRows[r] + k] * w[j][k] (+ bias[j]) for rows r in [r0, r1) and
     * the columns j of panels [p0, p1). xRows must hold valid offsets up to r1 + MAX_ROWS - 1: the
     * kernel always reads a full block of rows and stores only those asked for.
     */
    void multiply(float[] x, int[] xRows, int r0, int r1, int p0, int p1, float[] out, int oo, int ldo, float[] bias) {
        for (int p = p0; p < p1; p++) {
            float[] wp = panels[p];
            int j0 = p * width, cols = Math.min(width, n - j0);
            // A full panel without bias is stored straight from the registers into out; a ragged one,
            // or one with bias, a block at a time into buf, which finish() copies out.
            boolean direct = cols == width && bias == null;
            float[] buf = direct ? null : new float[MAX_ROWS * width];
            // A direct panel goes KC rows of the panel at a time, each chunk meeting all row blocks
            // while it is in L1 (the whole panel, 96 KB at K = 512, is not), the blocks adding to what
            // the chunks before stored. The short-vector kernel takes all of k at once.
            int step = direct && kernel != Kernel.R6X2 ? KC : k;
            for (int k0 = 0; k0 < k; k0 += step) {
                int k1 = Math.min(k, k0 + step);
                boolean acc = k0 > 0;
                for (int r = r0, rows; r < r1; r += rows) {
                    int at = oo + r * ldo + j0, o = direct ? at : 0, ld = direct ? ldo : width;
                    float[] dst = direct ? out : buf;
                    if (kernel == Kernel.R8X3) {
                        // The last block, when four rows or fewer are left, takes the 4 x 3 kernel.
                        rows = Math.min(8, r1 - r);
                        if (rows > 4) rows8(x, xRows, r, rows, wp, dst, o, ld, k0, k1, acc);
                        else rows4(x, xRows, r, rows, wp, dst, o, ld, k0, k1, acc);
                    } else if (kernel == Kernel.R6X4) {
                        rows = Math.min(6, r1 - r);
                        rows6x4(x, xRows, r, rows, wp, dst, o, ld, k0, k1, acc);
                    } else {
                        rows = Math.min(6, r1 - r);
                        rows6(x, xRows, r, rows, wp, dst, o, ld);
                    }
                    if (!direct) finish(buf, rows, out, at, ldo, cols, bias, j0);
                }
            }
        }
    }

    // The register kernels: `rows` rows of x (at most the kernel's) times one panel, into dst at o,
    // rows ld apart. Accumulators stay in locals, one vector per row and panel vector, which C2
    // keeps in registers; each line of a kernel is one row of its block. acc: add to what dst
    // holds (a direct panel's later chunks of k). Vectors never leave these methods: one passed
    // to a method that C2 does not inline would be boxed (a store() helper, tried, was not
    // inlined into methods this large and ran several times slower).

    /** 8 rows x 3 vectors: 24 accumulators, 3 weight vectors and a broadcast in AVX-512's 32 registers; k in [k0, k1). */
    private void rows8(float[] x, int[] xRows, int r, int rows, float[] wp, float[] dst, int o, int ld, int k0, int k1, boolean acc) {
        int o0 = xRows[r], o1 = xRows[r + 1], o2 = xRows[r + 2], o3 = xRows[r + 3];
        int o4 = xRows[r + 4], o5 = xRows[r + 5], o6 = xRows[r + 6], o7 = xRows[r + 7];
        FloatVector c00 = FloatVector.zero(S), c01 = c00, c02 = c00, c10 = c00, c11 = c00, c12 = c00;
        FloatVector c20 = c00, c21 = c00, c22 = c00, c30 = c00, c31 = c00, c32 = c00;
        FloatVector c40 = c00, c41 = c00, c42 = c00, c50 = c00, c51 = c00, c52 = c00;
        FloatVector c60 = c00, c61 = c00, c62 = c00, c70 = c00, c71 = c00, c72 = c00;
        if (acc) {
            int a = o;
            c00 = FloatVector.fromArray(S, dst, a); c01 = FloatVector.fromArray(S, dst, a + L); c02 = FloatVector.fromArray(S, dst, a + 2 * L);
            if (rows > 1) { a += ld; c10 = FloatVector.fromArray(S, dst, a); c11 = FloatVector.fromArray(S, dst, a + L); c12 = FloatVector.fromArray(S, dst, a + 2 * L); }
            if (rows > 2) { a += ld; c20 = FloatVector.fromArray(S, dst, a); c21 = FloatVector.fromArray(S, dst, a + L); c22 = FloatVector.fromArray(S, dst, a + 2 * L); }
            if (rows > 3) { a += ld; c30 = FloatVector.fromArray(S, dst, a); c31 = FloatVector.fromArray(S, dst, a + L); c32 = FloatVector.fromArray(S, dst, a + 2 * L); }
            if (rows > 4) { a += ld; c40 = FloatVector.fromArray(S, dst, a); c41 = FloatVector.fromArray(S, dst, a + L); c42 = FloatVector.fromArray(S, dst, a + 2 * L); }
            if (rows > 5) { a += ld; c50 = FloatVector.fromArray(S, dst, a); c51 = FloatVector.fromArray(S, dst, a + L); c52 = FloatVector.fromArray(S, dst, a + 2 * L); }
            if (rows > 6) { a += ld; c60 = FloatVector.fromArray(S, dst, a); c61 = FloatVector.fromArray(S, dst, a + L); c62 = FloatVector.fromArray(S, dst, a + 2 * L); }
            if (rows > 7) { a += ld; c70 = FloatVector.fromArray(S, dst, a); c71 = FloatVector.fromArray(S, dst, a + L); c72 = FloatVector.fromArray(S, dst, a + 2 * L); }
        }
        for (int kk = k0; kk < k1; kk++) {
            int wi = kk * (3 * L);   // the width as a constant: C2 then steps wi instead of multiplying (an imul a step, its factor read from the stack)
            FloatVector w0 = FloatVector.fromArray(S, wp, wi), w1 = FloatVector.fromArray(S, wp, wi + L), w2 = FloatVector.fromArray(S, wp, wi + 2 * L);
            FloatVector b = FloatVector.broadcast(S, x[o0 + kk]); c00 = b.fma(w0, c00); c01 = b.fma(w1, c01); c02 = b.fma(w2, c02);
            b = FloatVector.broadcast(S, x[o1 + kk]); c10 = b.fma(w0, c10); c11 = b.fma(w1, c11); c12 = b.fma(w2, c12);
            b = FloatVector.broadcast(S, x[o2 + kk]); c20 = b.fma(w0, c20); c21 = b.fma(w1, c21); c22 = b.fma(w2, c22);
            b = FloatVector.broadcast(S, x[o3 + kk]); c30 = b.fma(w0, c30); c31 = b.fma(w1, c31); c32 = b.fma(w2, c32);
            b = FloatVector.broadcast(S, x[o4 + kk]); c40 = b.fma(w0, c40); c41 = b.fma(w1, c41); c42 = b.fma(w2, c42);
            b = FloatVector.broadcast(S, x[o5 + kk]); c50 = b.fma(w0, c50); c51 = b.fma(w1, c51); c52 = b.fma(w2, c52);
            b = FloatVector.broadcast(S, x[o6 + kk]); c60 = b.fma(w0, c60); c61 = b.fma(w1, c61); c62 = b.fma(w2, c62);
            b = FloatVector.broadcast(S, x[o7 + kk]); c70 = b.fma(w0, c70); c71 = b.fma(w1, c71); c72 = b.fma(w2, c72);
        }
        c00.intoArray(dst, o); c01.intoArray(dst, o + L); c02.intoArray(dst, o + 2 * L);
        if (rows > 1) { o += ld; c10.intoArray(dst, o); c11.intoArray(dst, o + L); c12.intoArray(dst, o + 2 * L); }
        if (rows > 2) { o += ld; c20.intoArray(dst, o); c21.intoArray(dst, o + L); c22.intoArray(dst, o + 2 * L); }
        if (rows > 3) { o += ld; c30.intoArray(dst, o); c31.intoArray(dst, o + L); c32.intoArray(dst, o + 2 * L); }
        if (rows > 4) { o += ld; c40.intoArray(dst, o); c41.intoArray(dst, o + L); c42.intoArray(dst, o + 2 * L); }
        if (rows > 5) { o += ld; c50.intoArray(dst, o); c51.intoArray(dst, o + L); c52.intoArray(dst, o + 2 * L); }
        if (rows > 6) { o += ld; c60.intoArray(dst, o); c61.intoArray(dst, o + L); c62.intoArray(dst, o + 2 * L); }
        if (rows > 7) { o += ld; c70.intoArray(dst, o); c71.intoArray(dst, o + L); c72.intoArray(dst, o + 2 * L); }
    }

    /**
     * 6 rows x 4 vectors ({@link Kernel#R6X4}): fewer broadcasts per FMA than {@link #rows8}, and
     * 64-column panels; otherwise as that one.
     */
    private void rows6x4(float[] x, int[] xRows, int r, int rows, float[] wp, float[] dst, int o, int ld, int k0, int k1, boolean acc) {
        int o0 = xRows[r], o1 = xRows[r + 1], o2 = xRows[r + 2], o3 = xRows[r + 3], o4 = xRows[r + 4], o5 = xRows[r + 5];
        FloatVector c00 = FloatVector.zero(S), c01 = c00, c02 = c00, c03 = c00, c10 = c00, c11 = c00, c12 = c00, c13 = c00;
        FloatVector c20 = c00, c21 = c00, c22 = c00, c23 = c00, c30 = c00, c31 = c00, c32 = c00, c33 = c00;
        FloatVector c40 = c00, c41 = c00, c42 = c00, c43 = c00, c50 = c00, c51 = c00, c52 = c00, c53 = c00;
        if (acc) {
            int a = o;
            c00 = FloatVector.fromArray(S, dst, a); c01 = FloatVector.fromArray(S, dst, a + L); c02 = FloatVector.fromArray(S, dst, a + 2 * L); c03 = FloatVector.fromArray(S, dst, a + 3 * L);
            if (rows > 1) { a += ld; c10 = FloatVector.fromArray(S, dst, a); c11 = FloatVector.fromArray(S, dst, a + L); c12 = FloatVector.fromArray(S, dst, a + 2 * L); c13 = FloatVector.fromArray(S, dst, a + 3 * L); }
            if (rows > 2) { a += ld; c20 = FloatVector.fromArray(S, dst, a); c21 = FloatVector.fromArray(S, dst, a + L); c22 = FloatVector.fromArray(S, dst, a + 2 * L); c23 = FloatVector.fromArray(S, dst, a + 3 * L); }
            if (rows > 3) { a += ld; c30 = FloatVector.fromArray(S, dst, a); c31 = FloatVector.fromArray(S, dst, a + L); c32 = FloatVector.fromArray(S, dst, a + 2 * L); c33 = FloatVector.fromArray(S, dst, a + 3 * L); }
            if (rows > 4) { a += ld; c40 = FloatVector.fromArray(S, dst, a); c41 = FloatVector.fromArray(S, dst, a + L); c42 = FloatVector.fromArray(S, dst, a + 2 * L); c43 = FloatVector.fromArray(S, dst, a + 3 * L); }
            if (rows > 5) { a += ld; c50 = FloatVector.fromArray(S, dst, a); c51 = FloatVector.fromArray(S, dst, a + L); c52 = FloatVector.fromArray(S, dst, a + 2 * L); c53 = FloatVector.fromArray(S, dst, a + 3 * L); }
        }
        for (int kk = k0; kk < k1; kk++) {
            int wi = kk * (4 * L);   // as in rows8
            FloatVector w0 = FloatVector.fromArray(S, wp, wi), w1 = FloatVector.fromArray(S, wp, wi + L);
            FloatVector w2 = FloatVector.fromArray(S, wp, wi + 2 * L), w3 = FloatVector.fromArray(S, wp, wi + 3 * L);
            FloatVector b = FloatVector.broadcast(S, x[o0 + kk]); c00 = b.fma(w0, c00); c01 = b.fma(w1, c01); c02 = b.fma(w2, c02); c03 = b.fma(w3, c03);
            b = FloatVector.broadcast(S, x[o1 + kk]); c10 = b.fma(w0, c10); c11 = b.fma(w1, c11); c12 = b.fma(w2, c12); c13 = b.fma(w3, c13);
            b = FloatVector.broadcast(S, x[o2 + kk]); c20 = b.fma(w0, c20); c21 = b.fma(w1, c21); c22 = b.fma(w2, c22); c23 = b.fma(w3, c23);
            b = FloatVector.broadcast(S, x[o3 + kk]); c30 = b.fma(w0, c30); c31 = b.fma(w1, c31); c32 = b.fma(w2, c32); c33 = b.fma(w3, c33);
            b = FloatVector.broadcast(S, x[o4 + kk]); c40 = b.fma(w0, c40); c41 = b.fma(w1, c41); c42 = b.fma(w2, c42); c43 = b.fma(w3, c43);
            b = FloatVector.broadcast(S, x[o5 + kk]); c50 = b.fma(w0, c50); c51 = b.fma(w1, c51); c52 = b.fma(w2, c52); c53 = b.fma(w3, c53);
        }
        c00.intoArray(dst, o); c01.intoArray(dst, o + L); c02.intoArray(dst, o + 2 * L); c03.intoArray(dst, o + 3 * L);
        if (rows > 1) { o += ld; c10.intoArray(dst, o); c11.intoArray(dst, o + L); c12.intoArray(dst, o + 2 * L); c13.intoArray(dst, o + 3 * L); }
        if (rows > 2) { o += ld; c20.intoArray(dst, o); c21.intoArray(dst, o + L); c22.intoArray(dst, o + 2 * L); c23.intoArray(dst, o + 3 * L); }
        if (rows > 3) { o += ld; c30.intoArray(dst, o); c31.intoArray(dst, o + L); c32.intoArray(dst, o + 2 * L); c33.intoArray(dst, o + 3 * L); }
        if (rows > 4) { o += ld; c40.intoArray(dst, o); c41.intoArray(dst, o + L); c42.intoArray(dst, o + 2 * L); c43.intoArray(dst, o + 3 * L); }
        if (rows > 5) { o += ld; c50.intoArray(dst, o); c51.intoArray(dst, o + L); c52.intoArray(dst, o + 2 * L); c53.intoArray(dst, o + 3 * L); }
    }

    /** 4 rows x 3 vectors: the 8 x 3 kernel's last block when four rows or fewer are left; otherwise as {@link #rows8}. */
    private void rows4(float[] x, int[] xRows, int r, int rows, float[] wp, float[] dst, int o, int ld, int k0, int k1, boolean acc) {
        int o0 = xRows[r], o1 = xRows[r + 1], o2 = xRows[r + 2], o3 = xRows[r + 3];
        FloatVector c00 = FloatVector.zero(S), c01 = c00, c02 = c00, c10 = c00, c11 = c00, c12 = c00;
        FloatVector c20 = c00, c21 = c00, c22 = c00, c30 = c00, c31 = c00, c32 = c00;
        if (acc) {
            int a = o;
            c00 = FloatVector.fromArray(S, dst, a); c01 = FloatVector.fromArray(S, dst, a + L); c02 = FloatVector.fromArray(S, dst, a + 2 * L);
            if (rows > 1) { a += ld; c10 = FloatVector.fromArray(S, dst, a); c11 = FloatVector.fromArray(S, dst, a + L); c12 = FloatVector.fromArray(S, dst, a + 2 * L); }
            if (rows > 2) { a += ld; c20 = FloatVector.fromArray(S, dst, a); c21 = FloatVector.fromArray(S, dst, a + L); c22 = FloatVector.fromArray(S, dst, a + 2 * L); }
            if (rows > 3) { a += ld; c30 = FloatVector.fromArray(S, dst, a); c31 = FloatVector.fromArray(S, dst, a + L); c32 = FloatVector.fromArray(S, dst, a + 2 * L); }
        }
        for (int kk = k0; kk < k1; kk++) {
            int wi = kk * (3 * L);   // as in rows8
            FloatVector w0 = FloatVector.fromArray(S, wp, wi), w1 = FloatVector.fromArray(S, wp, wi + L), w2 = FloatVector.fromArray(S, wp, wi + 2 * L);
            FloatVector b = FloatVector.broadcast(S, x[o0 + kk]); c00 = b.fma(w0, c00); c01 = b.fma(w1, c01); c02 = b.fma(w2, c02);
            b = FloatVector.broadcast(S, x[o1 + kk]); c10 = b.fma(w0, c10); c11 = b.fma(w1, c11); c12 = b.fma(w2, c12);
            b = FloatVector.broadcast(S, x[o2 + kk]); c20 = b.fma(w0, c20); c21 = b.fma(w1, c21); c22 = b.fma(w2, c22);
            b = FloatVector.broadcast(S, x[o3 + kk]); c30 = b.fma(w0, c30); c31 = b.fma(w1, c31); c32 = b.fma(w2, c32);
        }
        c00.intoArray(dst, o); c01.intoArray(dst, o + L); c02.intoArray(dst, o + 2 * L);
        if (rows > 1) { o += ld; c10.intoArray(dst, o); c11.intoArray(dst, o + L); c12.intoArray(dst, o + 2 * L); }
        if (rows > 2) { o += ld; c20.intoArray(dst, o); c21.intoArray(dst, o + L); c22.intoArray(dst, o + 2 * L); }
        if (rows > 3) { o += ld; c30.intoArray(dst, o); c31.intoArray(dst, o + L); c32.intoArray(dst, o + 2 * L); }
    }

    /** 6 rows x 2 vectors, for shorter vectors (AVX2's 16 registers), over all of k. */
    private void rows6(float[] x, int[] xRows, int r, int rows, float[] wp, float[] dst, int o, int ld) {
        int K = k;
        int o0 = xRows[r], o1 = xRows[r + 1], o2 = xRows[r + 2], o3 = xRows[r + 3], o4 = xRows[r + 4], o5 = xRows[r + 5];
        FloatVector c00 = FloatVector.zero(S), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
        FloatVector c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
        for (int kk = 0; kk < K; kk++) {
            int wi = kk * (2 * L);   // as in rows8
            FloatVector w0 = FloatVector.fromArray(S, wp, wi), w1 = FloatVector.fromArray(S, wp, wi + L);
            FloatVector b = FloatVector.broadcast(S, x[o0 + kk]); c00 = b.fma(w0, c00); c01 = b.fma(w1, c01);
            b = FloatVector.broadcast(S, x[o1 + kk]); c10 = b.fma(w0, c10); c11 = b.fma(w1, c11);
            b = FloatVector.broadcast(S, x[o2 + kk]); c20 = b.fma(w0, c20); c21 = b.fma(w1, c21);
            b = FloatVector.broadcast(S, x[o3 + kk]); c30 = b.fma(w0, c30); c31 = b.fma(w1, c31);
            b = FloatVector.broadcast(S, x[o4 + kk]); c40 = b.fma(w0, c40); c41 = b.fma(w1, c41);
            b = FloatVector.broadcast(S, x[o5 + kk]); c50 = b.fma(w0, c50); c51 = b.fma(w1, c51);
        }
        c00.intoArray(dst, o); c01.intoArray(dst, o + L);
        if (rows > 1) { o += ld; c10.intoArray(dst, o); c11.intoArray(dst, o + L); }
        if (rows > 2) { o += ld; c20.intoArray(dst, o); c21.intoArray(dst, o + L); }
        if (rows > 3) { o += ld; c30.intoArray(dst, o); c31.intoArray(dst, o + L); }
        if (rows > 4) { o += ld; c40.intoArray(dst, o); c41.intoArray(dst, o + L); }
        if (rows > 5) { o += ld; c50.intoArray(dst, o); c51.intoArray(dst, o + L); }
    }

    /** Rows of a block's results, width apart in buf, into out (ldo apart) with the bias, the first cols columns only. */
    private void finish(float[] buf, int rows, float[] out, int o, int ldo, int cols, float[] bias, int j0) {
        for (int i = 0; i < rows; i++) {
            int src = i * width, dst = o + i * ldo;
            if (bias == null) {
                System.arraycopy(buf, src, out, dst, cols);
            } else {
                for (int c = 0; c < cols; c++) out[dst + c] = buf[src + c] + bias[j0 + c];
            }
        }
    }
}
