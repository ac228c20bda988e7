package io.moescope.backend.ptx;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.SymbolLookup;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Finds and opens the native libraries the backend calls. The driver's libcuda.so.1 is opened by name
 * (the dynamic loader knows where the driver put it); NVRTC belongs to a CUDA toolkit that may live
 * anywhere, so its candidates are searched in the usual folders, newest version first.
 */
final class NativeLibraries {
    private NativeLibraries() {}

    /** The soname versions of NVRTC we can use, newest first (CUDA 13, 12, 11.2+). */
    static final List<String> NVRTC_NAMES = List.of("libnvrtc.so.13", "libnvrtc.so.12", "libnvrtc.so.11.2", "libnvrtc.so.11", "libnvrtc.so");

    /** Opens a library by name or path for the life of the process, or returns null when it cannot be loaded. */
    static SymbolLookup open(String nameOrPath) {
        try {
            return SymbolLookup.libraryLookup(nameOrPath, Arena.global());
        } catch (IllegalArgumentException | IllegalCallerException e) {
            return null;
        }
    }

    static SymbolLookup open(Path path) {
        try {
            return SymbolLookup.libraryLookup(path, Arena.global());
        } catch (IllegalArgumentException | IllegalCallerException e) {
            return null;
        }
    }

    /**
     * NVRTC candidates in the order to try: the moescope.nvrtc property, then each folder's files, then
     * the bare sonames for the dynamic loader's own search.
     */
    static List<String> nvrtcCandidates() {
        Set<String> out = new LinkedHashSet<>();
        String explicit = System.getProperty("moescope.nvrtc");
        if (explicit != null && !explicit.isBlank()) out.add(explicit);
        for (Path dir : searchFolders()) {
            for (String name : NVRTC_NAMES) {
                Path p = dir.resolve(name);
                if (Files.isRegularFile(p)) out.add(p.toString());
            }
            // e.g. libnvrtc.so.13.0.88 without the soname link
            try (Stream<Path> files = Files.list(dir)) {
                files.filter(p -> p.getFileName().toString().startsWith("libnvrtc.so."))
                        .sorted(Comparator.comparing(Path::toString).reversed())
                        .forEach(p -> out.add(p.toString()));
            } catch (IOException | RuntimeException e) {
                // an unreadable folder is just not a place NVRTC is
            }
        }
        out.addAll(NVRTC_NAMES);
        return new ArrayList<>(out);
    }

    static List<Path> searchFolders() {
        List<Path> dirs = new ArrayList<>();
        String ld = System.getenv("LD_LIBRARY_PATH");
        if (ld != null) for (String d : ld.split(":")) if (!d.isBlank()) dirs.add(Path.of(d));
        for (String env : new String[]{"CUDA_HOME", "CUDA_PATH"}) {
            String v = System.getenv(env);
            if (v != null && !v.isBlank()) dirs.add(Path.of(v, "lib64"));
        }
        dirs.add(Path.of("/usr/local/cuda/lib64"));
        dirs.add(Path.of("/usr/local/cuda/targets/x86_64-linux/lib"));
        try (Stream<Path> local = Files.list(Path.of("/usr/local"))) {
            local.filter(p -> p.getFileName().toString().startsWith("cuda-"))
                    .sorted(Comparator.comparing(Path::toString).reversed())
                    .forEach(p -> {
                        dirs.add(p.resolve("lib64"));
                        dirs.add(p.resolve("targets/x86_64-linux/lib"));
                    });
        } catch (IOException | RuntimeException e) {
            // no /usr/local: nothing to add
        }
        dirs.add(Path.of("/usr/lib/x86_64-linux-gnu"));
        dirs.add(Path.of("/usr/lib64"));
        dirs.add(Path.of("/usr/lib"));
        return dirs.stream().filter(Files::isDirectory).distinct().toList();
    }
}
