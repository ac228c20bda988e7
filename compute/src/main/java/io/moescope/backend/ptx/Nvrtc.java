package io.moescope.backend.ptx;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.moescope.backend.BackendUnavailableException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.util.ArrayList;
import java.util.List;

/** NVRTC, the CUDA toolkit's run-time compiler, through java.lang.foreign: CUDA C source in, PTX out. */
final class Nvrtc {
    private static final Linker LINKER = Linker.nativeLinker();

    final String library;
    final int major, minor;
    private final MethodHandle createProgram, compileProgram, getPtxSize, getPtx, getLogSize, getLog, destroyProgram,
            getErrorString, numSupportedArchs, supportedArchs;

    private Nvrtc(String library, SymbolLookup lib) {
        this.library = library;
        createProgram = fn(lib, "nvrtcCreateProgram", ADDRESS, ADDRESS, ADDRESS, JAVA_INT, ADDRESS, ADDRESS);
        compileProgram = fn(lib, "nvrtcCompileProgram", ADDRESS, JAVA_INT, ADDRESS);
        getPtxSize = fn(lib, "nvrtcGetPTXSize", ADDRESS, ADDRESS);
        getPtx = fn(lib, "nvrtcGetPTX", ADDRESS, ADDRESS);
        getLogSize = fn(lib, "nvrtcGetProgramLogSize", ADDRESS, ADDRESS);
        getLog = fn(lib, "nvrtcGetProgramLog", ADDRESS, ADDRESS);
        destroyProgram = fn(lib, "nvrtcDestroyProgram", ADDRESS);
        getErrorString = LINKER.downcallHandle(lib.findOrThrow("nvrtcGetErrorString"), FunctionDescriptor.of(ADDRESS, JAVA_INT));
        numSupportedArchs = lib.find("nvrtcGetNumSupportedArchs").isPresent() ? fn(lib, "nvrtcGetNumSupportedArchs", ADDRESS) : null;
        supportedArchs = lib.find("nvrtcGetSupportedArchs").isPresent() ? fn(lib, "nvrtcGetSupportedArchs", ADDRESS) : null;
        MethodHandle version = fn(lib, "nvrtcVersion", ADDRESS, ADDRESS);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment ma = a.allocate(JAVA_INT), mi = a.allocate(JAVA_INT);
            check("nvrtcVersion", (int) version.invokeExact(ma, mi));
            major = ma.get(JAVA_INT, 0);
            minor = mi.get(JAVA_INT, 0);
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    private static MethodHandle fn(SymbolLookup lib, String name, MemoryLayout... args) {
        return LINKER.downcallHandle(lib.findOrThrow(name), FunctionDescriptor.of(JAVA_INT, args));
    }

    /**
     * The newest NVRTC found whose version the driver supports (a newer one writes PTX the driver cannot
     * load), else the newest found.
     *
     * @param driverVersion as cuDriverGetVersion reports it, e.g. 13000
     * @throws BackendUnavailableException when no NVRTC can be loaded
     */
    static Nvrtc load(int driverVersion) {
        List<String> tried = NativeLibraries.nvrtcCandidates();
        Nvrtc fallback = null;
        List<String> failures = new ArrayList<>();
        for (String candidate : tried) {
            SymbolLookup lib = NativeLibraries.open(candidate);
            if (lib == null) continue;
            try {
                Nvrtc n = new Nvrtc(candidate, lib);
                if (n.major * 1000 + n.minor * 10 <= driverVersion) return n;
                if (fallback == null) fallback = n;
            } catch (RuntimeException e) {
                failures.add(candidate + ": " + e.getMessage());
            }
        }
        if (fallback != null) return fallback;
        throw new BackendUnavailableException("the ptx backend compiles its kernels with NVRTC, the CUDA toolkit's "
                + "run-time compiler (libnvrtc.so.13, .12 or .11), which was not found in LD_LIBRARY_PATH, "
                + "/usr/local/cuda*/lib64 or the system library folders: install the CUDA toolkit or just its NVRTC "
                + "package (e.g. cuda-nvrtc-13-0) and put its lib64 folder on LD_LIBRARY_PATH, or name the library "
                + "with -Dmoescope.nvrtc=/path/to/libnvrtc.so"
                + (failures.isEmpty() ? "" : " (unusable: " + String.join("; ", failures) + ")"));
    }

    String version() {
        return major + "." + minor;
    }

    /** The largest virtual architecture NVRTC can target that the device also runs, e.g. 90 for an H100. */
    int targetArch(int deviceArch) {
        if (numSupportedArchs == null || supportedArchs == null) return deviceArch;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment n = a.allocate(JAVA_INT);
            check("nvrtcGetNumSupportedArchs", (int) numSupportedArchs.invokeExact(n));
            MemorySegment archs = a.allocate(JAVA_INT, n.get(JAVA_INT, 0));
            check("nvrtcGetSupportedArchs", (int) supportedArchs.invokeExact(archs));
            int best = -1;
            for (int i = 0; i < n.get(JAVA_INT, 0); i++) {
                int arch = archs.getAtIndex(JAVA_INT, i);
                if (arch <= deviceArch && arch > best) best = arch;
            }
            return best > 0 ? best : deviceArch;
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /**
     * Compiles one CUDA C program to PTX.
     *
     * @throws CudaException with NVRTC's log when the source does not compile
     */
    byte[] compile(String source, String name, List<String> options) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment prog = a.allocate(ADDRESS);
            check("nvrtcCreateProgram(" + name + ")", (int) createProgram.invokeExact(prog, a.allocateFrom(source),
                    a.allocateFrom(name), 0, MemorySegment.NULL, MemorySegment.NULL));
            MemorySegment p = prog.get(ADDRESS, 0);
            try {
                MemorySegment opts = a.allocate(ADDRESS, options.size());
                for (int i = 0; i < options.size(); i++) opts.setAtIndex(ADDRESS, i, a.allocateFrom(options.get(i)));
                int r = (int) compileProgram.invokeExact(p, options.size(), opts);
                if (r != 0) {
                    throw new CudaException("NVRTC " + version() + " could not compile " + name + " (" + errorString(r)
                            + ", options " + options + "):\n" + log(a, p), r);
                }
                MemorySegment size = a.allocate(JAVA_LONG);
                check("nvrtcGetPTXSize", (int) getPtxSize.invokeExact(p, size));
                MemorySegment ptx = a.allocate(size.get(JAVA_LONG, 0));
                check("nvrtcGetPTX", (int) getPtx.invokeExact(p, ptx));
                // drop the terminating NUL: the loader adds its own
                long n = ptx.byteSize();
                while (n > 0 && ptx.get(JAVA_BYTE, n - 1) == 0) n--;
                return ptx.asSlice(0, n).toArray(JAVA_BYTE);
            } finally {
                int ignored = (int) destroyProgram.invokeExact(prog);
            }
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    private String log(Arena a, MemorySegment p) throws Throwable {
        MemorySegment size = a.allocate(JAVA_LONG);
        if ((int) getLogSize.invokeExact(p, size) != 0) return "(no log)";
        MemorySegment text = a.allocate(Math.max(1, size.get(JAVA_LONG, 0)));
        if ((int) getLog.invokeExact(p, text) != 0) return "(no log)";
        return text.getString(0);
    }

    private String errorString(int code) {
        try {
            MemorySegment s = (MemorySegment) getErrorString.invokeExact(code);
            return s.equals(MemorySegment.NULL) ? "NVRTC error " + code : s.reinterpret(1024).getString(0);
        } catch (Throwable t) {
            return "NVRTC error " + code;
        }
    }

    private void check(String what, int r) {
        if (r != 0) throw new CudaException(what + " failed: " + errorString(r), r);
    }
}
