package io.moescope.backend.ptx;

import io.moescope.backend.BackendUnavailableException;
import io.moescope.backend.DeviceInfo;
import java.lang.foreign.MemorySegment;
import java.util.HashMap;
import java.util.Map;

/**
 * One CUDA device for the whole process: its primary context, compiled kernels and memory pool, set up
 * once and shared by every PtxBackend on that device (modules and cached memory survive a backend's
 * close, so tests and the workbench can open backends freely).
 */
final class PtxRuntime {
    private static final Map<String, PtxRuntime> RUNTIMES = new HashMap<>();
    private static final ThreadLocal<PtxRuntime> CURRENT = new ThreadLocal<>();

    final CudaDriver cu;
    final int ordinal;
    final String name;
    final long totalMemory;
    final int multiprocessors, ccMajor, ccMinor, driverVersion, l2Bytes;
    final Nvrtc nvrtc;
    final KernelModules kernels;
    final DevicePool pool;
    final KernelProfile profile;
    final Launcher launcher;
    private final MemorySegment context;

    private PtxRuntime(CudaDriver cu, int ordinal) {
        this.cu = cu;
        this.ordinal = ordinal;
        int count = cu.deviceCount();
        if (ordinal < 0 || ordinal >= count) {
            throw new BackendUnavailableException(count == 0 ? "the NVIDIA driver reports no CUDA device"
                    : "CUDA device " + ordinal + " does not exist (" + count + " found)");
        }
        int dev = cu.device(ordinal);
        name = cu.deviceName(dev);
        totalMemory = cu.totalMemory(dev);
        multiprocessors = cu.attribute(dev, CudaDriver.ATTR_MULTIPROCESSOR_COUNT);
        ccMajor = cu.attribute(dev, CudaDriver.ATTR_CC_MAJOR);
        ccMinor = cu.attribute(dev, CudaDriver.ATTR_CC_MINOR);
        l2Bytes = cu.attribute(dev, CudaDriver.ATTR_L2_CACHE_SIZE);
        driverVersion = cu.driverVersion();
        nvrtc = Nvrtc.load(driverVersion);
        context = cu.retainPrimaryContext(dev);
        bind();
        kernels = new KernelModules(cu, nvrtc, ccMajor * 10 + ccMinor);
        pool = new DevicePool(cu, name, totalMemory);
        profile = new KernelProfile(cu);
        launcher = new Launcher(cu, kernels, profile);
    }

    /** The runtime of a device, set up on first use; failures to set up are not remembered. */
    static synchronized PtxRuntime get(String cudaLibrary, int ordinal) {
        String key = cudaLibrary + "#" + ordinal;
        PtxRuntime rt = RUNTIMES.get(key);
        if (rt == null) {
            rt = new PtxRuntime(CudaDriver.load(cudaLibrary), ordinal);
            RUNTIMES.put(key, rt);
        }
        rt.bind();
        return rt;
    }

    /** Makes this device's context current on the calling thread, as every driver call needs. */
    void bind() {
        if (CURRENT.get() != this) {
            cu.setCurrent(context);
            CURRENT.set(this);
        }
    }

    DeviceInfo info() {
        return new DeviceInfo("ptx", name, totalMemory, multiprocessors,
                "NVIDIA GPU, compute capability " + ccMajor + "." + ccMinor + ", CUDA driver " + driverVersion / 1000 + "."
                        + driverVersion % 1000 / 10 + ", NVRTC " + nvrtc.version() + " (" + kernels.arch + "), "
                        + l2Bytes / (1024 * 1024) + " MB L2");
    }
}
