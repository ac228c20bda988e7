package io.moescope.backend.ptx;

/**
 * The routing slots of one experts call grouped by expert, on the device (see moe_dispatch): each
 * expert's rows and M tiles, each slot's row and each row's slot. maxTiles bounds the tile count the
 * grouped kernels are launched for, without the host knowing the real one.
 */
record Dispatch(int experts, int slots, int maxTiles, PtxTensor offsets, PtxTensor tileStart, PtxTensor pos,
                PtxTensor rowSlot) implements AutoCloseable {
    /** Rows per M tile of the grouped kernels; moe_dispatch counts tiles of this height. */
    static final int GROUP_TILE = 128;

    static Dispatch of(Gpu gpu, PtxTensor index, int experts) {
        int n = Math.toIntExact(index.size());
        PtxTensor offsets = gpu.ints(experts + 1), tileStart = gpu.ints(experts + 1);
        PtxTensor pos = gpu.ints(Math.max(1, n)), rowSlot = gpu.ints(Math.max(1, n));
        // one warp's counts per expert each, in 48 KB of shared memory
        int warps = Math.max(1, Math.min(32, 12288 / experts - 1));
        gpu.launch("moe_dispatch", 1, 1, 1, 32 * warps, 4 * (warps + 1) * experts, index, n, experts, GROUP_TILE,
                offsets, tileStart, pos, rowSlot);
        return new Dispatch(experts, n, Gpu.ceil(n, GROUP_TILE) + experts, offsets, tileStart, pos, rowSlot);
    }

    @Override
    public void close() {
        offsets.close();
        tileStart.close();
        pos.close();
        rowSlot.close();
    }
}
