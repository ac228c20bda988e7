package io.moescope.backend.ptx;

import io.moescope.backend.ExpertWeights;
import io.moescope.backend.Routing;
import io.moescope.backend.Tensor;

/**
 * The routed experts as grouped products: slots sorted by expert on the device, their tokens gathered
 * into rows, every expert's SwiGLU MLP in three launches whatever the number of experts (gate and up
 * fused, with the activation, into one), then the weighted outputs summed back per token.
 */
final class ExpertOps {
    private final Gpu gpu;
    private final Gemm gemm;
    private final PointerTables tables;

    ExpertOps(Gpu gpu, Gemm gemm) {
        this.gpu = gpu;
        this.gemm = gemm;
        this.tables = new PointerTables(gpu);
    }

    Tensor experts(Tensor xT, Routing routing, ExpertWeights w) {
        PtxTensor x = Gpu.t(xT), index = Gpu.t(routing.index()), weight = Gpu.t(routing.weight());
        int T = x.rows(), D = x.cols(), k = routing.spec().k(), E = w.count(), I = w.gate().get(0).dim(0);
        check(w, D, I);
        PtxTensor out = gpu.floats(T, D);
        try (Dispatch d = Dispatch.of(gpu, index, E); PtxTensor xg = gather(x, d, k, D);
             PtxTensor h = gpu.floats(d.slots(), I); PtxTensor y = gpu.floats(d.slots(), D)) {
            gemm.grouped(Gemm.Grouped.GLU, d, xg, D, tables.of(w.gate(), w.up()), D, h, null, null, I, I, D, 0, 1f, 0f);
            gemm.grouped(Gemm.Grouped.KK, d, h, I, tables.of(w.down()), I, y, null, null, D, D, I, 0, 1f, 0f);
            gpu.elementwise("moe_combine", (long) T * D, y, d.pos(), index, weight, T, k, D, out);
        }
        return out;
    }

    /**
     * Recomputes each expert's gate, up and output rows (cheaper than keeping them for every layer), then
     * back through the weighting, down, SwiGLU, gate and up; dWeight[t, j] = dOut[t] . y(t, j).
     */
    Tensor[] expertsBackward(Tensor dOutT, Tensor xT, Routing routing, ExpertWeights w, ExpertWeights dw) {
        PtxTensor dOut = Gpu.t(dOutT), x = Gpu.t(xT), index = Gpu.t(routing.index()), weight = Gpu.t(routing.weight());
        int T = x.rows(), D = x.cols(), k = routing.spec().k(), E = w.count(), I = w.gate().get(0).dim(0);
        check(w, D, I);
        if (dw != null) check(dw, D, I);
        PtxTensor dx = gpu.floats(T, D), dWeight = gpu.floats(T, k);
        try (Dispatch d = Dispatch.of(gpu, index, E); PtxTensor xg = gather(x, d, k, D)) {
            int n = d.slots();
            PtxTensor gateUp = tables.of(w.gate(), w.up()), downTab = tables.of(w.down());
            try (PtxTensor g = gpu.floats(n, I); PtxTensor u = gpu.floats(n, I); PtxTensor h = gpu.floats(n, I);
                 PtxTensor y = gpu.floats(n, D); PtxTensor dy = gpu.floats(n, D); PtxTensor dh = gpu.floats(n, I);
                 PtxTensor dgu = gpu.floats(n, 2 * I); PtxTensor dxg = gpu.floats(n, D)) {
                gemm.grouped(Gemm.Grouped.GU, d, xg, D, gateUp, D, h, g, u, I, I, D, 0, 1f, 0f);
                gemm.grouped(Gemm.Grouped.KK, d, h, I, downTab, I, y, null, null, D, D, I, 0, 1f, 0f);

                gpu.elementwise("moe_scatter_grad", (long) n * D, dOut, d.pos(), weight, T, k, D, dy);
                gpu.perWarp("moe_weight_grad", n, dOut, y, d.pos(), n, k, D, dWeight);
                // dh = dy down_e, with down_e [D, I] read as [K, N]
                gemm.grouped(Gemm.Grouped.KN, d, dy, D, downTab, I, dh, null, null, I, I, D, 0, 1f, 0f);
                if (dw != null) gemm.groupedWeightGrad(d, dy, D, 0, h, I, tables.of(dw.down()), I, D, I, 1f);
                // [dgate | dup] side by side, so that dx = [dgate | dup] [gate; up] is one product over 2I
                gpu.elementwise("swiglu_backward_cat", (long) n * I, dh, g, u, (long) n, I, dgu);
                if (dw != null) {
                    gemm.groupedWeightGrad(d, dgu, 2L * I, 0, xg, D, tables.of(dw.gate()), D, I, D, 1f);
                    gemm.groupedWeightGrad(d, dgu, 2L * I, I, xg, D, tables.of(dw.up()), D, I, D, 1f);
                }
                gemm.grouped(Gemm.Grouped.KN2, d, dgu, 2L * I, gateUp, D, dxg, null, null, D, D, 2 * I, I, 1f, 0f);
                gpu.elementwise("moe_gather_sum", (long) T * D, dxg, d.pos(), index, T, k, D, dx);
            }
        }
        return new Tensor[]{dx, dWeight};
    }

    private PtxTensor gather(PtxTensor x, Dispatch d, int k, int D) {
        PtxTensor xg = gpu.floats(Math.max(1, d.slots()), D);
        gpu.elementwise("moe_gather", (long) d.slots() * D, x, d.rowSlot(), d.slots(), k, D, xg);
        return xg;
    }

    private static void check(ExpertWeights w, int D, int I) {
        int E = w.count();
        if (w.up().size() != E || w.down().size() != E) throw new IllegalArgumentException("experts: " + E + " gates, "
                + w.up().size() + " ups, " + w.down().size() + " downs");
        for (int e = 0; e < E; e++) {
            Tensor g = w.gate().get(e), u = w.up().get(e), dn = w.down().get(e);
            if (g.dim(0) != I || g.dim(1) != D || u.dim(0) != I || u.dim(1) != D || dn.dim(0) != D || dn.dim(1) != I) {
                throw new IllegalArgumentException("experts: expert " + e + " has gate " + Tensor.describe(g.shape()) + ", up "
                        + Tensor.describe(u.shape()) + ", down " + Tensor.describe(dn.shape()) + " for hidden " + D + ", width " + I);
            }
        }
    }
}
