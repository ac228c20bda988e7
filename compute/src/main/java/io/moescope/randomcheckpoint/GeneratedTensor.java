package io.moescope.randomcheckpoint;

import io.moescope.checkpoint.DType;
import io.moescope.checkpoint.FloatFormats;
import io.moescope.checkpoint.SafetensorsWriter;
import io.moescope.model.RandomWeights;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;

/**
 * One tensor of a random checkpoint, generated as it is written: a block of rows at a time (128
 * for FP8, whose scales cover 128 x 128 blocks), so memory holds one block, never the tensor.
 */
final class GeneratedTensor implements SafetensorsWriter.Source {
    /** Values per block for dtypes without block scales: ~1 M floats. */
    private static final long BLOCK_VALUES = 1 << 20;
    static final int FP8_BLOCK = 128;

    private final CheckpointLayout.Entry entry;
    private final DType dtype;
    private final RandomWeights weights;
    /** For an F8_E4M3 weight: its block scales, filled while it is written, written next by {@link #scales()}. */
    private final float[] scaleInv;

    GeneratedTensor(CheckpointLayout.Entry entry, DType dtype, RandomWeights weights) {
        this.entry = entry;
        this.dtype = dtype;
        this.weights = weights;
        this.scaleInv = dtype == DType.F8_E4M3 ? new float[Math.toIntExact(blocks(rows()) * blocks(cols()))] : null;
    }

    @Override
    public String name() {
        return entry.name();
    }

    @Override
    public DType dtype() {
        return dtype;
    }

    @Override
    public long[] shape() {
        return entry.shape().clone();
    }

    @Override
    public long byteSize() {
        return entry.elements() * dtype.bytes();
    }

    private long rows() {
        return entry.shape()[0];
    }

    /** Values per row (1 for a vector, whose rows are its elements). */
    private int cols() {
        long[] s = entry.shape();
        return s.length == 1 ? 1 : Math.toIntExact(entry.elements() / s[0]);
    }

    private static long blocks(long n) {
        return (n + FP8_BLOCK - 1) / FP8_BLOCK;
    }

    @Override
    public void writeTo(FileChannel ch) throws IOException {
        RandomWeights.Values values = weights.values(entry.name());
        int cols = cols();
        long rows = rows();
        int blockRows = scaleInv != null ? FP8_BLOCK : (int) Math.max(1, Math.min(rows, BLOCK_VALUES / cols));
        float[] block = new float[Math.toIntExact((long) blockRows * cols)];
        ByteBuffer out = ByteBuffer.allocate(block.length * dtype.bytes()).order(ByteOrder.LITTLE_ENDIAN);
        for (long r0 = 0; r0 < rows; r0 += blockRows) {
            int n = (int) Math.min(blockRows, rows - r0) * cols;
            values.next(block, 0, n);
            out.clear();
            if (scaleInv != null) quantise(block, n / cols, cols, (int) (r0 / FP8_BLOCK), out);
            else narrow(block, n, out);
            out.flip();
            while (out.hasRemaining()) ch.write(out);
        }
    }

    private void narrow(float[] v, int n, ByteBuffer out) {
        switch (dtype) {
            case F32 -> { for (int i = 0; i < n; i++) out.putFloat(v[i]); }
            case BF16 -> { for (int i = 0; i < n; i++) out.putShort(FloatFormats.toBf16(v[i])); }
            case F16 -> { for (int i = 0; i < n; i++) out.putShort(Float.floatToFloat16(v[i])); }
            default -> throw new IllegalStateException("no random weights stored as " + dtype);
        }
    }

    /** Rows of one 128-row band: each 128-column block scaled so that its largest value maps to E4M3's largest. */
    private void quantise(float[] v, int rows, int cols, int band, ByteBuffer out) {
        int colBlocks = (int) blocks(cols);
        float[] scale = new float[colBlocks];
        for (int b = 0; b < colBlocks; b++) {
            float max = 0;
            for (int r = 0; r < rows; r++) {
                for (int c = b * FP8_BLOCK; c < Math.min(cols, (b + 1) * FP8_BLOCK); c++) max = Math.max(max, Math.abs(v[r * cols + c]));
            }
            scale[b] = max > 0 ? max / FloatFormats.E4M3_MAX : 1f;
            scaleInv[band * colBlocks + b] = scale[b];
        }
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) out.put(FloatFormats.toE4m3(v[r * cols + c] / scale[c / FP8_BLOCK]));
        }
    }

    /** The {@code weight_scale_inv} of this F8_E4M3 weight; its values exist once the weight is written. */
    SafetensorsWriter.Source scales() {
        GeneratedTensor weight = this;
        long[] shape = {blocks(rows()), blocks(cols())};
        return new SafetensorsWriter.Source() {
            public String name() { return weight.name() + "_scale_inv"; }
            public DType dtype() { return DType.F32; }
            public long[] shape() { return shape.clone(); }
            public long byteSize() { return 4L * scaleInv.length; }

            public void writeTo(FileChannel ch) throws IOException {
                ByteBuffer b = ByteBuffer.allocate(4 * scaleInv.length).order(ByteOrder.LITTLE_ENDIAN);
                b.asFloatBuffer().put(scaleInv);
                while (b.hasRemaining()) ch.write(b);
            }
        };
    }
}
