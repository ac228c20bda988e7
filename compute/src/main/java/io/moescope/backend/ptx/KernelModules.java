package io.moescope.backend.ptx;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The backend's kernels: CUDA C resource files compiled by NVRTC on first use in the process (each file
 * its own program, compiled in parallel; PTX kept in memory for later contexts), loaded as modules, and
 * looked up by name.
 */
final class KernelModules {
    /** The kernel files, each compiled with common.cuh in front. */
    static final List<String> FILES = List.of("gemm.cu", "elementwise.cu", "norm.cu", "attention.cu", "moe.cu", "train.cu");

    private static final Map<String, byte[]> PTX_CACHE = new ConcurrentHashMap<>();

    private final CudaDriver cu;
    private final List<MemorySegment> modules = new ArrayList<>();
    private final Map<String, MemorySegment> functions = new HashMap<>();
    final String arch;

    KernelModules(CudaDriver cu, Nvrtc nvrtc, int deviceArch) {
        this.cu = cu;
        int target = nvrtc.targetArch(deviceArch);
        this.arch = "compute_" + target;
        // Exact IEEE division and square roots, FMA contraction on (as nvcc and PyTorch build), no fast math.
        List<String> options = List.of("--gpu-architecture=" + arch, "-default-device", "--std=c++17",
                "--ftz=false", "--prec-div=true", "--prec-sqrt=true", "--fmad=true");
        for (byte[] ptx : compileAll(nvrtc, options)) modules.add(cu.loadModule(ptx));
    }

    private List<byte[]> compileAll(Nvrtc nvrtc, List<String> options) {
        String common = resource("common.cuh");
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(FILES.size(), Math.max(1, Runtime.getRuntime().availableProcessors())));
        try {
            List<Future<byte[]>> jobs = new ArrayList<>();
            for (String file : FILES) {
                String key = file + "|" + nvrtc.library + "|" + options;
                jobs.add(pool.submit(() -> PTX_CACHE.computeIfAbsent(key,
                        k -> nvrtc.compile(common + "\n#line 1 \"" + file + "\"\n" + resource(file), file, options))));
            }
            List<byte[]> out = new ArrayList<>();
            for (Future<byte[]> j : jobs) out.add(j.get());
            return out;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while compiling kernels", e);
        } finally {
            pool.shutdown();
        }
    }

    static String resource(String name) {
        try (InputStream in = KernelModules.class.getResourceAsStream(name)) {
            if (in == null) throw new IllegalStateException("kernel source " + name + " missing from the jar");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The kernel of that name; its handle is looked up once. */
    synchronized MemorySegment function(String name) {
        MemorySegment f = functions.get(name);
        if (f != null) return f;
        for (MemorySegment m : modules) {
            f = cu.function(m, name);
            if (f != null) {
                functions.put(name, f);
                return f;
            }
        }
        throw new IllegalArgumentException("no kernel named " + name + " in " + FILES);
    }
}
