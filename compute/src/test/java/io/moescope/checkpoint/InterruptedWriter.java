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
        for (int i = 0; ; i++) SafetensorsWriter.write(dir.resolve("out-" + (i % 3) + ".safetensors"), tensors, Map.of());
    }
}
