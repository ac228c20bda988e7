package io.moescope.backend.opencl;

import io.moescope.backend.ExpertWeights;
import io.moescope.backend.Routing;
import io.moescope.backend.Tensor;

/**
 * The routed experts without leaving the device: a dispatch kernel sorts the token slots by
 * expert, the tokens are gathered into one matrix, each expert multiplies its contiguous range
 * of rows (found on the device: the grid is sized for the most row tiles there can be), and the
 * results are combined per token in slot order, so sums come out the same on every run.
 */
final class ExpertOps {
    private final ClContext cl;
    private final Gemm gemm;

    ExpertOps(ClContext cl, Gemm gemm) {
        this.cl = cl;
        this.gemm = gemm;
    }

    /** Slots sorted by expert: the row ranges, order (gathered row -> slot), pos (slot -> gathered row, -1 if none). */
    private record Dispatch(Gemm.Groups groups, OpenClTensor order, OpenClTensor pos) implements AutoCloseable {
        @Override
        public void close() {
            groups.offsets().close();
            groups.tileStart().close();
            order.close();
            pos.close();
        }
    }

    /** An expert appears at most once among a token's k choices: none has more than T rows. */
    private Dispatch dispatch(OpenClTensor index, int E, int T) {
        int n = index.count();
        Dispatch d = new Dispatch(new Gemm.Groups(cl.ints(E + 1), cl.ints(E + 1), n, T), cl.ints(n), cl.ints(n));
        cl.fill(d.pos.mem(), -1, n);
        try (OpenClTensor counts = cl.ints(E)) {
            cl.perGroup("expert_count", E, index, n, counts);
            cl.perGroup("expert_dispatch", E, index, n, E, counts, d.groups.offsets(), d.groups.tileStart(), d.order, d.pos);
        }
        return d;
    }

    /** Gathered rows: x's token row for every slot in dispatch order, optionally times the slot's weight. */
    private OpenClTensor gather(OpenClTensor x, Dispatch d, OpenClTensor weight, int k, int D, int n) {
        OpenClTensor out = cl.floats(n, D);
        cl.perItem("gather_rows", (long) n * D, x, d.order, weight, weight != null, k, D, n, out);
        return out;
    }

    private static OpenClTensor t(Tensor x) {
        return OpenClTensor.of(x);
    }

    Tensor forward(Tensor xIn, Routing routing, ExpertWeights w) {
        OpenClTensor x = t(xIn), index = t(routing.index()), weight = t(routing.weight());
        int T = x.rows(), D = x.cols(), k = routing.spec().k(), n = T * k, E = w.count();
        int I = w.gate().getFirst().dim(0);
        try (Dispatch d = dispatch(index, E, T);
             OpenClTensor xg = gather(x, d, null, k, D, n);
             OpenClTensor h = cl.floats(n, I);
             OpenClTensor y = cl.floats(n, D)) {
            gemm.expertGlu(xg, w.gate(), w.up(), h, null, null, I, D, d.groups);
            gemm.expertLinear(h, w.down(), y, D, I, d.groups);
            OpenClTensor out = cl.floats(T, D);
            cl.perItem("combine_slots", (long) T * D, y, d.pos, weight, true, k, D, T, out);
            return out;
        }
    }

    /** {dx, dWeight}, accumulating the experts' weight gradients into dW when not null. */
    Tensor[] backward(Tensor dOutIn, Tensor xIn, Routing routing, ExpertWeights w, ExpertWeights dW) {
        OpenClTensor dOut = t(dOutIn), x = t(xIn), index = t(routing.index()), weight = t(routing.weight());
        int T = x.rows(), D = x.cols(), k = routing.spec().k(), n = T * k, E = w.count();
        int I = w.gate().getFirst().dim(0);
        try (Dispatch d = dispatch(index, E, T);
             OpenClTensor xg = gather(x, d, null, k, D, n);
             OpenClTensor dyg = gather(dOut, d, weight, k, D, n);
             OpenClTensor g = cl.floats(n, I);
             OpenClTensor u = cl.floats(n, I);
             OpenClTensor h = cl.floats(n, I);
             OpenClTensor y = cl.floats(n, D);
             OpenClTensor dh = cl.floats(n, I);
             OpenClTensor dxg = cl.floats(n, D)) {
            // Recompute the forward pass's intermediates, which it does not keep.
            gemm.expertGlu(xg, w.gate(), w.up(), h, g, u, I, D, d.groups);
            gemm.expertLinear(h, w.down(), y, D, I, d.groups);
            OpenClTensor dWeight = cl.floats(T, k);
            cl.perItem("slot_dots", n, dOut, y, d.pos, k, D, n, dWeight);

            gemm.expertInputGrad(dyg, w.down(), dh, D, I, false, d.groups);
            if (dW != null) gemm.expertWeightGrad(dyg, h, dW.down(), D, I, d.groups);
            // dh becomes dGate and h (no longer needed) dUp.
            cl.perItem("swiglu_backward", (long) n * I, dh, g, u, dh, h, n * I);
            gemm.expertInputGrad(dh, w.gate(), dxg, I, D, false, d.groups);
            gemm.expertInputGrad(h, w.up(), dxg, I, D, true, d.groups);
            if (dW != null) {
                gemm.expertWeightGrad(dh, xg, dW.gate(), I, D, d.groups);
                gemm.expertWeightGrad(h, xg, dW.up(), I, D, d.groups);
            }
            OpenClTensor dx = cl.floats(T, D);
            cl.perItem("combine_slots", (long) T * D, dxg, d.pos, null, false, k, D, T, dx);
            return new Tensor[]{dx, dWeight};
        }
    }
}
