package io.moescope.checkpoint;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** The child JVM of {@link InterruptedWriteTest}: writes 16 MB files, round robin, until stopped. */
public final class InterruptedWriter {
    private InterruptedWriter() {}

    static final int VALUES = 4 << 20;

    public static void main(String[] args) {
        Path dir = Path.of(args[0]);
        float[] values = new float[VALUES];
        List<TensorData> tensors = List.of(TensorData.f32("x", values, values.length));
        if (args.length > 1 && args[1].equals("atomic")) {
            // The writer reports, PDFs, sessions and logs go through: a file of VALUES * 4 bytes, in chunks.
            byte[] chunk = new byte[1 << 16];
            for (int i = 0; ; i++) {
                try {
                    io.moescope.files.AtomicFiles.write(dir.resolve("report-" + (i % 3) + ".bin"), out -> {
                        for (long n = 0; n < VALUES * 4L; n += chunk.length) out.write(chunk);
                    });
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
        }
        for (int i = 0; ; i++) SafetensorsWriter.write(dir.resolve("out-" + (i % 3) + ".safetensors"), tensors, Map.of());
    }
}
