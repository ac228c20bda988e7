package io.moescope.backend.ptx;

/**
 * out[col] += sum over rows of a (times b, times a per-row scale): bias and norm-weight gradients.
 * Two passes (chunks of rows, then the chunks in order) keep it parallel and its result repeatable.
 */
final class ColumnSums {
    private final Gpu gpu;

    ColumnSums(Gpu gpu) {
        this.gpu = gpu;
    }

    void accumulate(PtxTensor a, PtxTensor b, PtxTensor rowScale, long rows, int cols, PtxTensor out) {
        if (rows == 0 || cols == 0) return;
        int chunk = (int) Math.max(64, (rows + 65534) / 65535);
        int chunks = Gpu.ceil(rows, chunk);
        try (PtxTensor partial = gpu.floats(chunks, cols)) {
            gpu.launch("colsum_partial", Gpu.ceil(cols, 128), chunks, 1, 128, 0, a, b, rowScale, rows, cols, chunk, partial);
            gpu.launch("colsum_finish", Gpu.ceil(cols, 128), 1, 1, 128, 0, partial, chunks, cols, out, 1);
        }
    }
}
