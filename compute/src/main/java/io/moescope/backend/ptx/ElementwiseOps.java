package io.moescope.backend.ptx;

import io.moescope.backend.Tensor;
import java.util.Arrays;

/** Embedding lookups, elementwise arithmetic and column copies, with their backward passes. */
final class ElementwiseOps {
    private final Gpu gpu;

    ElementwiseOps(Gpu gpu) {
        this.gpu = gpu;
    }

    Tensor embedding(Tensor tableT, Tensor idsT) {
        PtxTensor table = Gpu.t(tableT), ids = Gpu.t(idsT);
        int T = Math.toIntExact(ids.size()), D = table.dim(1);
        PtxTensor out = gpu.floats(T, D);
        gpu.elementwise("embedding", (long) T * D, table, ids, T, D, out);
        return out;
    }

    void embeddingBackward(Tensor dOutT, Tensor idsT, Tensor dTableT) {
        if (dTableT == null) return;
        PtxTensor dOut = Gpu.t(dOutT), ids = Gpu.t(idsT), dTable = Gpu.t(dTableT);
        int T = Math.toIntExact(ids.size()), D = dTable.cols();
        gpu.elementwise("embedding_backward", (long) T * D, dOut, ids, T, D, dTable);
    }

    Tensor swiglu(Tensor gateT, Tensor upT) {
        PtxTensor g = Gpu.t(gateT), u = Gpu.t(upT);
        sameSize("swiglu", g, u);
        PtxTensor out = gpu.floats(g.shape());
        gpu.elementwise("swiglu", g.size(), g, u, g.size(), out);
        return out;
    }

    Tensor[] swigluBackward(Tensor dOutT, Tensor gateT, Tensor upT) {
        PtxTensor d = Gpu.t(dOutT), g = Gpu.t(gateT), u = Gpu.t(upT);
        sameSize("swigluBackward", g, u);
        sameSize("swigluBackward", g, d);
        PtxTensor dG = gpu.floats(g.shape()), dU = gpu.floats(g.shape());
        gpu.elementwise("swiglu_backward", g.size(), d, g, u, g.size(), dG, dU);
        return new Tensor[]{dG, dU};
    }

    Tensor add(Tensor aT, Tensor bT) {
        PtxTensor a = Gpu.t(aT), b = Gpu.t(bT);
        sameSize("add", a, b);
        PtxTensor out = gpu.floats(a.shape());
        gpu.elementwise("add", a.size(), a, b, a.size(), out);
        return out;
    }

    void addInPlace(Tensor accT, Tensor xT) {
        PtxTensor acc = Gpu.t(accT), x = Gpu.t(xT);
        sameSize("addInPlace", acc, x);
        gpu.elementwise("add_inplace", acc.size(), acc, x, acc.size());
    }

    void clamp(Tensor xT, float limit) {
        PtxTensor x = Gpu.t(xT);
        gpu.elementwise("clamp", x.size(), x, x.size(), limit);
    }

    void clampBackward(Tensor dxT, Tensor xT, float limit) {
        PtxTensor dx = Gpu.t(dxT), x = Gpu.t(xT);
        sameSize("clampBackward", dx, x);
        gpu.elementwise("clamp_backward", dx.size(), dx, x, dx.size(), limit);
    }

    void scale(Tensor xT, float s) {
        PtxTensor x = Gpu.t(xT);
        gpu.elementwise("scale", x.size(), x, x.size(), s);
    }

    void scaleRowsBySigmoid(Tensor xT, Tensor gateT) {
        PtxTensor x = Gpu.t(xT), gate = Gpu.t(gateT);
        long rows = gate.size();
        int D = x.cols();
        if (rows * D != x.size()) throw new IllegalArgumentException("scaleRowsBySigmoid: " + rows + " gates for " + x.rows() + " rows");
        gpu.elementwise("scale_rows_sigmoid", x.size(), x, gate, rows, D);
    }

    Tensor[] scaleRowsBySigmoidBackward(Tensor dOutT, Tensor xT, Tensor gateT) {
        PtxTensor d = Gpu.t(dOutT), x = Gpu.t(xT), gate = Gpu.t(gateT);
        sameSize("scaleRowsBySigmoidBackward", d, x);
        long rows = gate.size();
        int D = x.cols();
        PtxTensor dx = gpu.floats(x.shape()), dGate = gpu.floats(gate.shape());
        gpu.perWarp("scale_rows_sigmoid_backward", rows, d, x, gate, rows, D, dx, dGate);
        return new Tensor[]{dx, dGate};
    }

    void copyColumns(Tensor srcT, int srcCol, int div, Tensor dstT, int dstCol, int rows, int width) {
        PtxTensor src = Gpu.t(srcT), dst = Gpu.t(dstT);
        checkCopy(src, srcCol, div, dst, dstCol, rows, width);
        gpu.elementwise("copy_columns", (long) rows * width, src, srcCol, div, src.cols(), dst, dstCol, dst.cols(), rows, width);
    }

    void copyColumnsBackward(Tensor dDstT, int dstCol, Tensor dSrcT, int srcCol, int div, int rows, int width) {
        PtxTensor dDst = Gpu.t(dDstT), dSrc = Gpu.t(dSrcT);
        checkCopy(dSrc, srcCol, div, dDst, dstCol, rows, width);
        long srcRows = (rows + (long) div - 1) / div;
        gpu.elementwise("copy_columns_backward", srcRows * width, dDst, dstCol, dDst.cols(), dSrc, srcCol, dSrc.cols(), div, rows, width);
    }

    private static void checkCopy(PtxTensor src, int srcCol, int div, PtxTensor dst, int dstCol, int rows, int width) {
        if (div < 1 || srcCol < 0 || dstCol < 0 || srcCol + width > src.cols() || dstCol + width > dst.cols()
                || rows > dst.rows() || (rows + (long) div - 1) / div > src.rows()) {
            throw new IllegalArgumentException("copyColumns: " + rows + " rows of " + width + " columns from "
                    + Tensor.describe(src.shape()) + " at " + srcCol + " (divisor " + div + ") to "
                    + Tensor.describe(dst.shape()) + " at " + dstCol);
        }
    }

    private static void sameSize(String op, PtxTensor a, PtxTensor b) {
        if (a.size() != b.size()) {
            throw new IllegalArgumentException(op + ": shapes " + Arrays.toString(a.shape()) + " and " + Arrays.toString(b.shape()) + " differ in size");
        }
    }
}
