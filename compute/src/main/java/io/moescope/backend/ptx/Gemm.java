package io.moescope.backend.ptx;

/**
 * Launches gemm.cu's matrix products: picks the tile size and K split ({@link #plan}), the kernel for the
 * operands' layouts, and the vector paths where addresses and leading dimensions allow 16-byte accesses.
 */
final class Gemm {
    /** Triangular shortcuts of the dense kernels (see gemm.cu). */
    static final int TRI_NONE = 0, TRI_SKIP_UPPER_TILES = 1, TRI_A_LOWER = 2, TRI_A_UPPER = 3;

    /**
     * One operand: its values from float offset {@code offset} of {@code t}, rows {@code ld} apart,
     * K-contiguous (A [M, K] or B [N, K] row-major) or not (A [K, M] or B [K, N] row-major), and the
     * distance between the matrices of consecutive batch entries.
     */
    record Operand(PtxTensor t, long offset, long ld, boolean kContiguous, long batchStride) {
        long address() {
            return t.ptr() + 4 * offset;
        }

        boolean vectorizable() {
            return ld % 4 == 0 && batchStride % 4 == 0 && Gpu.aligned(address());
        }
    }

    static Operand kMajor(PtxTensor t, long ld) {
        return new Operand(t, 0, ld, true, 0);
    }

    static Operand mMajor(PtxTensor t, long ld) {
        return new Operand(t, 0, ld, false, 0);
    }

    private final Gpu gpu;

    Gemm(Gpu gpu) {
        this.gpu = gpu;
    }

    /** C = alpha A B + beta C (+ bias) for one matrix. */
    void run(int M, int N, int K, Operand a, Operand b, PtxTensor c, long ldc, float alpha, float beta, PtxTensor bias, int tri) {
        batched(M, N, K, a, b, c, 0, ldc, 0, 1, 1, alpha, beta, bias, tri);
    }

    /**
     * For z in [0, batch): C_z = alpha A_z B_(z / bDiv) + beta C_z (+ bias), where C_z starts at float
     * cOffset + z sC of c.
     */
    void batched(int M, int N, int K, Operand a, Operand b, PtxTensor c, long cOffset, long ldc, long sC, int batch,
                 int bDiv, float alpha, float beta, PtxTensor bias, int tri) {
        if (M == 0 || N == 0 || batch == 0) return;
        Plan p = plan(M, N, K, batch, tri);
        String kernel = "gemm_" + p.config() + "_" + (a.kContiguous() ? "k" : "m") + (b.kContiguous() ? "k" : "n");
        long cAddress = c.ptr() + 4 * cOffset;
        if (p.splits() == 1) {
            boolean vecC = ldc % 4 == 0 && sC % 4 == 0 && Gpu.aligned(cAddress);
            gpu.launch(kernel, Gpu.ceil(N, p.bn()), Gpu.ceil(M, p.bm()), batch, 256, 0,
                    a.address(), b.address(), cAddress, bias, M, N, K, a.ld(), b.ld(), ldc, a.batchStride(), b.batchStride(),
                    sC, bDiv, alpha, beta, tri, flag(a.vectorizable()), flag(b.vectorizable()), flag(vecC), 1, 0L);
            return;
        }
        long per = (long) M * N, sSplit = per * batch;
        try (PtxTensor parts = gpu.floats(Math.toIntExact(sSplit * p.splits()))) {
            gpu.launch(kernel, Gpu.ceil(N, p.bn()), Gpu.ceil(M, p.bm()), (long) batch * p.splits(), 256, 0,
                    a.address(), b.address(), parts, null, M, N, K, a.ld(), b.ld(), (long) N, a.batchStride(), b.batchStride(),
                    per, bDiv, 1f, 0f, tri, flag(a.vectorizable()), flag(b.vectorizable()), flag(N % 4 == 0), p.splits(), sSplit);
            gpu.elementwise("gemm_splitk_reduce", sSplit, parts, p.splits(), batch, M, N, cAddress, ldc, sC, alpha, beta, bias);
        }
    }

    /** A tile configuration (l 128 x 128, m 128 x 64, s 64 x 64) and how many parts K is split into. */
    record Plan(String config, int bm, int bn, int splits) {}

    private static final Plan LARGE = new Plan("l", 128, 128, 1), MEDIUM = new Plan("m", 128, 64, 1), SMALL = new Plan("s", 64, 64, 1);

    /**
     * The largest tiles that still give every multiprocessor a block; when even those are too few and K
     * is long (and no triangular shortcut is asked for), K is split into parts of at least 256, summed
     * afterwards in a fixed order. Outputs 64 or fewer wide take 64-wide tiles rather than half-empty ones.
     */
    Plan plan(int M, int N, int K, int batch, int tri) {
        int sms = gpu.rt.multiprocessors;
        long large = (long) Gpu.ceil(M, 128) * Gpu.ceil(N, 128) * batch;
        long medium = (long) Gpu.ceil(M, 128) * Gpu.ceil(N, 64) * batch;
        boolean narrow = N <= 64;
        Plan base = narrow ? MEDIUM : LARGE;
        long tiles = narrow ? medium : large;
        if (tiles >= sms) return base;
        if (tri == TRI_NONE && K >= 512) {
            int splits = (int) Math.min(Math.min((sms + tiles - 1) / tiles, K / 256), 16);
            if (splits > 1) return new Plan(base.config(), base.bm(), base.bn(), splits);
        }
        if (medium >= sms * 3L / 4) return MEDIUM;
        return SMALL;
    }

    // ---- grouped products of the experts (rows grouped by expert on the device) -----------------

    /** What the grouped kernels take as B per expert, and what they write (see gemm.cu's ROWS_ modes). */
    enum Grouped {
        /** C = A B_e^T, B_e [N, K] */
        KK("moe_gemm_kk"),
        /** C = A B_e, B_e [K, N] */
        KN("moe_gemm_kn"),
        /** C = A [B_e; B'_e], the table's second half stacked under the first along K (at ksplit) */
        KN2("moe_gemm_kn2"),
        /** C = silu(A gate_e^T) * (A up_e^T), gates then ups in the table */
        GLU("moe_gemm_glu"),
        /** as GLU, also keeping A gate_e^T in c2 and A up_e^T in c3 */
        GU("moe_gemm_gu");

        final String kernel;

        Grouped(String kernel) {
            this.kernel = kernel;
        }

        boolean glu() {
            return this == GLU || this == GU;
        }
    }

    /** Per expert e over its rows: C [rows, N] = alpha A_e B_e (+ beta C), as the mode says. */
    void grouped(Grouped mode, Dispatch d, PtxTensor a, long lda, PtxTensor bTable, long ldb, PtxTensor c, PtxTensor c2,
                 PtxTensor c3, long ldc, int N, int K, int ksplit, float alpha, float beta) {
        // outputs of a few 128-wide tiles take 64-wide ones, for more blocks than multiprocessors
        boolean medium = !mode.glu() && (long) Gpu.ceil(N, 128) * Gpu.ceil(d.slots(), Dispatch.GROUP_TILE) < 2L * gpu.rt.multiprocessors;
        int perTile = mode.glu() || medium ? 64 : 128;
        boolean vecA = lda % 4 == 0 && Gpu.aligned(a.ptr());
        gpu.launch(mode.kernel + (medium ? "_m" : ""), Gpu.ceil(N, perTile), d.maxTiles(), 1, 256, 0,
                a, bTable, c, c2, c3, d.offsets(), d.tileStart(), d.experts(), N, K, ksplit, lda, ldb, ldc, alpha, beta,
                flag(vecA), flag(ldb % 4 == 0), flag(ldc % 4 == 0 && Gpu.aligned(c.ptr())));
    }

    /** Per expert: C_e [M, N] = beta C_e + A_e^T B_e over its rows of A [rows, M] and B [rows, N]. */
    void groupedWeightGrad(Dispatch d, PtxTensor a, long lda, long aOffset, PtxTensor b, long ldb, PtxTensor cTable,
                           long ldc, int M, int N, float beta) {
        long aAddress = a.ptr() + 4 * aOffset;
        gpu.launch("moe_wgrad", Gpu.ceil(N, Dispatch.GROUP_TILE), Gpu.ceil(M, Dispatch.GROUP_TILE), d.experts(), 256, 0,
                aAddress, b, cTable, d.offsets(), M, N, lda, ldb, ldc, beta,
                flag(lda % 4 == 0 && Gpu.aligned(aAddress)), flag(ldb % 4 == 0 && Gpu.aligned(b.ptr())), flag(ldc % 4 == 0));
    }

    private static int flag(boolean b) {
        return b ? 1 : 0;
    }
}
