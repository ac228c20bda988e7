package io.moescope.backend.select;

import io.moescope.backend.Backend;
import io.moescope.backend.BackendUnavailableException;
import io.moescope.backend.DeviceInfo;
import io.moescope.backend.java.CpuModel;
import io.moescope.backend.java.JavaBackend;
import io.moescope.backend.opencl.OpenClBackend;
import io.moescope.backend.ptx.PtxBackend;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * Picks a backend by its command-line name and lists every backend's devices. The one place that
 * knows which backends exist, so commands and the workbench never name a backend class.
 */
public final class Backends {
    private Backends() {}

    /** What {@code --backend} accepts. */
    public static final List<String> NAMES = List.of("auto", "java", "opencl", "ptx");

    /** The devices one backend offers, or why it cannot run here (then {@code devices} is empty). */
    public record Listing(String backend, List<DeviceInfo> devices, String unavailableReason) {
        public boolean available() {
            return unavailableReason == null;
        }
    }

    /**
     * Opens the named backend.
     *
     * @param name    auto, java, opencl or ptx (case-insensitive); auto takes ptx if it opens, else
     *                OpenCL on a GPU, else java, and never fails
     * @param threads CPU threads for the java backend; 0 or less means all cores. GPU backends ignore it.
     * @throws IllegalArgumentException      for a name that is none of {@link #NAMES}
     * @throws BackendUnavailableException   when the named backend cannot run here; says what to install
     */
    public static Backend open(String name, int threads) {
        String n = name == null ? "" : name.strip().toLowerCase(Locale.ROOT);
        return switch (n) {
            case "auto" -> openAuto(threads);
            case "java" -> openJava(threads);
            case "opencl" -> openOpenCl();
            case "ptx" -> openPtx();
            default -> throw new IllegalArgumentException("unknown backend '" + name + "' (choose one of " + String.join(", ", NAMES) + ")");
        };
    }

    /** Every backend with its devices, the unavailable ones with their reason; never throws. */
    public static List<Listing> devices() {
        List<Listing> out = new ArrayList<>();
        out.add(new Listing("java", List.of(cpu(Runtime.getRuntime().availableProcessors())), null));
        out.add(listing("opencl", OpenClBackend::devices, Backends::openOpenCl));
        out.add(listing("ptx", PtxBackend::devices, Backends::openPtx));
        return out;
    }

    // ---- the backends ------------------------------------------------------------------------

    private static Backend openJava(int threads) {
        return new JavaBackend(threads > 0 ? threads : Runtime.getRuntime().availableProcessors());
    }

    private static Backend openOpenCl() {
        return OpenClBackend.open();
    }

    private static Backend openPtx() {
        return PtxBackend.open();
    }

    /**
     * A GPU when one works, else the CPU. Any failure of a GPU backend, including a native library
     * that does not link, only moves on to the next candidate: auto must always give a backend.
     */
    private static Backend openAuto(int threads) {
        Backend ptx = tryOpen(Backends::openPtx);
        if (ptx != null) return ptx;
        // PoCL and other CPU OpenCL drivers are slower than our own CPU kernels: only a GPU is worth
        // it, and looking first spares compiling the kernels for a device we would not use.
        if (tryList(OpenClBackend::devices).stream().anyMatch(Backends::isGpu)) {
            Backend opencl = tryOpen(Backends::openOpenCl);
            if (opencl != null && isGpu(opencl.device())) return opencl;
            if (opencl != null) opencl.close();
        }
        return openJava(threads);
    }

    private static Backend tryOpen(Supplier<Backend> opener) {
        try {
            return opener.get();
        } catch (RuntimeException | LinkageError e) {
            return null;
        }
    }

    private static List<DeviceInfo> tryList(Supplier<List<DeviceInfo>> devices) {
        try {
            return devices.get();
        } catch (RuntimeException | LinkageError e) {
            return List.of();
        }
    }

    /** OpenCL devices describe their kind first ("GPU, OpenCL 3.0 ..."); see ClDevices. */
    static boolean isGpu(DeviceInfo d) {
        return d.details() != null && d.details().startsWith("GPU");
    }

    /**
     * @param open only called when there is no device, for the backend's own words on why (and
     *             what to install); with no device it fails before doing any work
     */
    private static Listing listing(String backend, Supplier<List<DeviceInfo>> devices, Supplier<Backend> open) {
        try {
            List<DeviceInfo> list = devices.get();
            if (!list.isEmpty()) return new Listing(backend, List.copyOf(list), null);
            try (Backend b = open.get()) {
                return new Listing(backend, List.of(b.device()), null);
            }
        } catch (RuntimeException | LinkageError e) {
            String why = e.getMessage() == null || e.getMessage().isBlank() ? e.toString() : e.getMessage();
            return new Listing(backend, List.of(), why.strip().replaceAll("\\s*\\R\\s*", " "));
        }
    }

    /** The CPU as the java backend sees it: its cores, and the JVM's maximum heap as its memory. */
    static DeviceInfo cpu(int threads) {
        return new DeviceInfo("java", CpuModel.name(), Runtime.getRuntime().maxMemory(), threads,
                Runtime.getRuntime().availableProcessors() + " cores; memory is the JVM's maximum heap (-Xmx)");
    }
}
