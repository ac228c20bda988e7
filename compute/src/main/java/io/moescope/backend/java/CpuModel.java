package io.moescope.backend.java;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** The processor's name, as the java backend and the device listing show it. */
public final class CpuModel {
    private CpuModel() {}

    /** The processor's marketing name where the OS tells it (Linux), else the architecture: "CPU AMD EPYC". */
    public static String name() {
        return NAME;
    }

    /** Read once: /proc/cpuinfo does not change while we run, and the java backend's device() asks often. */
    private static final String NAME = read();

    private static String read() {
        Path info = Path.of("/proc/cpuinfo");
        if (Files.isReadable(info)) {
            try (Stream<String> lines = Files.lines(info)) {
                var model = lines.filter(l -> l.startsWith("model name")).findFirst();
                if (model.isPresent()) return "CPU " + model.get().substring(model.get().indexOf(':') + 1).strip();
            } catch (IOException | RuntimeException e) {
                // fall through to the architecture: a name is a nicety, not worth failing for
            }
        }
        return "CPU (" + System.getProperty("os.arch") + ")";
    }
}
