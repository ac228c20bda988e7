package io.moescope.backend.ptx;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
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

/**
 * The CUDA driver API (libcuda.so.1) through java.lang.foreign downcalls: only the calls the backend
 * makes, each checked, failures thrown as {@link CudaException} with the driver's own error text.
 * Device pointers are plain longs; contexts, modules, functions and events are opaque addresses.
 */
final class CudaDriver {
    static final String LIBRARY = "libcuda.so.1";
    static final int CUDA_ERROR_OUT_OF_MEMORY = 2;
    static final int CUDA_ERROR_NOT_FOUND = 500;
    static final int ATTR_MULTIPROCESSOR_COUNT = 16;
    static final int ATTR_L2_CACHE_SIZE = 38;
    static final int ATTR_CC_MAJOR = 75;
    static final int ATTR_CC_MINOR = 76;

    private static final Linker LINKER = Linker.nativeLinker();

    private final MethodHandle init, driverGetVersion, deviceGetCount, deviceGet, deviceGetName, deviceTotalMem,
            deviceGetAttribute, primaryCtxRetain, ctxSetCurrent, ctxSynchronize, moduleLoadData, moduleGetFunction,
            memAlloc, memFree, memcpyHtoD, memcpyDtoH, memcpyDtoD, memsetD32, memGetInfo, launchKernel, eventCreate,
            eventRecord, eventSynchronize, eventElapsedTime, eventDestroy, getErrorString, getErrorName;

    private CudaDriver(SymbolLookup lib) {
        init = fn(lib, "cuInit", JAVA_INT);
        driverGetVersion = fn(lib, "cuDriverGetVersion", ADDRESS);
        deviceGetCount = fn(lib, "cuDeviceGetCount", ADDRESS);
        deviceGet = fn(lib, "cuDeviceGet", ADDRESS, JAVA_INT);
        deviceGetName = fn(lib, "cuDeviceGetName", ADDRESS, JAVA_INT, JAVA_INT);
        deviceTotalMem = fn(lib, "cuDeviceTotalMem_v2", ADDRESS, JAVA_INT);
        deviceGetAttribute = fn(lib, "cuDeviceGetAttribute", ADDRESS, JAVA_INT, JAVA_INT);
        primaryCtxRetain = fn(lib, "cuDevicePrimaryCtxRetain", ADDRESS, JAVA_INT);
        ctxSetCurrent = fn(lib, "cuCtxSetCurrent", ADDRESS);
        ctxSynchronize = fn(lib, "cuCtxSynchronize");
        moduleLoadData = fn(lib, "cuModuleLoadData", ADDRESS, ADDRESS);
        moduleGetFunction = fn(lib, "cuModuleGetFunction", ADDRESS, ADDRESS, ADDRESS);
        memAlloc = fn(lib, "cuMemAlloc_v2", ADDRESS, JAVA_LONG);
        memFree = fn(lib, "cuMemFree_v2", JAVA_LONG);
        // Copies take heap arrays directly (critical downcalls); callers synchronise first, so they are short.
        memcpyHtoD = critical(lib, "cuMemcpyHtoD_v2", JAVA_LONG, ADDRESS, JAVA_LONG);
        memcpyDtoH = critical(lib, "cuMemcpyDtoH_v2", ADDRESS, JAVA_LONG, JAVA_LONG);
        memcpyDtoD = fn(lib, "cuMemcpyDtoD_v2", JAVA_LONG, JAVA_LONG, JAVA_LONG);
        memsetD32 = fn(lib, "cuMemsetD32_v2", JAVA_LONG, JAVA_INT, JAVA_LONG);
        memGetInfo = fn(lib, "cuMemGetInfo_v2", ADDRESS, ADDRESS);
        launchKernel = fn(lib, "cuLaunchKernel", ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT,
                JAVA_INT, ADDRESS, ADDRESS, ADDRESS);
        eventCreate = fn(lib, "cuEventCreate", ADDRESS, JAVA_INT);
        eventRecord = fn(lib, "cuEventRecord", ADDRESS, ADDRESS);
        eventSynchronize = fn(lib, "cuEventSynchronize", ADDRESS);
        // CUDA 13 renamed it; older drivers have only the first version
        eventElapsedTime = lib.find("cuEventElapsedTime_v2").isPresent()
                ? fn(lib, "cuEventElapsedTime_v2", ADDRESS, ADDRESS, ADDRESS)
                : fn(lib, "cuEventElapsedTime", ADDRESS, ADDRESS, ADDRESS);
        eventDestroy = fn(lib, "cuEventDestroy_v2", ADDRESS);
        getErrorString = fn(lib, "cuGetErrorString", JAVA_INT, ADDRESS);
        getErrorName = fn(lib, "cuGetErrorName", JAVA_INT, ADDRESS);
    }

    /**
     * Loads the driver library and initialises CUDA.
     *
     * @throws BackendUnavailableException when the library is missing or finds no usable device
     */
    static CudaDriver load(String library) {
        SymbolLookup lib = NativeLibraries.open(library);
        if (lib == null) {
            throw new BackendUnavailableException("the ptx backend needs the NVIDIA driver's CUDA library " + library
                    + ", which could not be loaded here: install the NVIDIA GPU driver (it provides " + library
                    + "), or choose another backend (java, opencl)");
        }
        CudaDriver cu;
        try {
            cu = new CudaDriver(lib);
        } catch (RuntimeException e) {
            throw new BackendUnavailableException(library + " lacks a CUDA driver API call the ptx backend needs ("
                    + e.getMessage() + "): update the NVIDIA driver", e);
        }
        int r = cu.call(() -> (int) cu.init.invokeExact(0));
        if (r != 0) {
            throw new BackendUnavailableException("the NVIDIA driver found no usable GPU: cuInit failed with "
                    + cu.errorName(r) + " (" + cu.errorString(r) + ")");
        }
        return cu;
    }

    private static MethodHandle fn(SymbolLookup lib, String name, MemoryLayout... args) {
        return LINKER.downcallHandle(lib.findOrThrow(name), FunctionDescriptor.of(JAVA_INT, args));
    }

    private static MethodHandle critical(SymbolLookup lib, String name, MemoryLayout... args) {
        return LINKER.downcallHandle(lib.findOrThrow(name), FunctionDescriptor.of(JAVA_INT, args), Linker.Option.critical(true));
    }

    @FunctionalInterface
    private interface Call {
        int run() throws Throwable;
    }

    private int call(Call c) {
        try {
            return c.run();
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    private void check(String what, Call c) {
        int r = call(c);
        if (r != 0) throw new CudaException(what + " failed: " + errorName(r) + " (" + errorString(r) + ")", r);
    }

    String errorName(int code) {
        return text(getErrorName, code, "CUDA error " + code);
    }

    String errorString(int code) {
        return text(getErrorString, code, "unknown error");
    }

    private String text(MethodHandle h, int code, String fallback) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment p = a.allocate(ADDRESS);
            int r = (int) h.invokeExact(code, p);
            MemorySegment s = p.get(ADDRESS, 0);
            return r != 0 || s.equals(MemorySegment.NULL) ? fallback : s.reinterpret(4096).getString(0);
        } catch (Throwable t) {
            return fallback;
        }
    }

    // ---- devices and context ------------------------------------------------------------------

    int driverVersion() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocate(JAVA_INT);
            check("cuDriverGetVersion", () -> (int) driverGetVersion.invokeExact(v));
            return v.get(JAVA_INT, 0);
        }
    }

    int deviceCount() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocate(JAVA_INT);
            check("cuDeviceGetCount", () -> (int) deviceGetCount.invokeExact(v));
            return v.get(JAVA_INT, 0);
        }
    }

    int device(int ordinal) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocate(JAVA_INT);
            check("cuDeviceGet(" + ordinal + ")", () -> (int) deviceGet.invokeExact(v, ordinal));
            return v.get(JAVA_INT, 0);
        }
    }

    String deviceName(int dev) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocate(256);
            check("cuDeviceGetName", () -> (int) deviceGetName.invokeExact(v, 256, dev));
            return v.getString(0);
        }
    }

    long totalMemory(int dev) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocate(JAVA_LONG);
            check("cuDeviceTotalMem", () -> (int) deviceTotalMem.invokeExact(v, dev));
            return v.get(JAVA_LONG, 0);
        }
    }

    int attribute(int dev, int attr) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocate(JAVA_INT);
            check("cuDeviceGetAttribute(" + attr + ")", () -> (int) deviceGetAttribute.invokeExact(v, attr, dev));
            return v.get(JAVA_INT, 0);
        }
    }

    /** The device's primary context, shared with any other CUDA user in the process (PyTorch among them). */
    MemorySegment retainPrimaryContext(int dev) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocate(ADDRESS);
            check("cuDevicePrimaryCtxRetain", () -> (int) primaryCtxRetain.invokeExact(v, dev));
            return v.get(ADDRESS, 0);
        }
    }

    void setCurrent(MemorySegment ctx) {
        check("cuCtxSetCurrent", () -> (int) ctxSetCurrent.invokeExact(ctx));
    }

    void synchronize() {
        check("cuCtxSynchronize", () -> (int) ctxSynchronize.invokeExact());
    }

    /** {free, total} bytes of device memory. */
    long[] memoryInfo() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment f = a.allocate(JAVA_LONG), t = a.allocate(JAVA_LONG);
            check("cuMemGetInfo", () -> (int) memGetInfo.invokeExact(f, t));
            return new long[]{f.get(JAVA_LONG, 0), t.get(JAVA_LONG, 0)};
        }
    }

    // ---- modules and launches ---------------------------------------------------------------

    MemorySegment loadModule(byte[] image) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment img = a.allocate(image.length + 1L);
            MemorySegment.copy(image, 0, img, JAVA_BYTE, 0, image.length);
            img.set(JAVA_BYTE, image.length, (byte) 0);
            MemorySegment v = a.allocate(ADDRESS);
            check("cuModuleLoadData", () -> (int) moduleLoadData.invokeExact(v, img));
            return v.get(ADDRESS, 0);
        }
    }

    /** The kernel of that name in the module, or null when the module has none. */
    MemorySegment function(MemorySegment module, String name) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocate(ADDRESS);
            MemorySegment n = a.allocateFrom(name);
            int r = call(() -> (int) moduleGetFunction.invokeExact(v, module, n));
            if (r == CUDA_ERROR_NOT_FOUND) return null;
            if (r != 0) throw new CudaException("cuModuleGetFunction(" + name + ") failed: " + errorName(r) + " (" + errorString(r) + ")", r);
            return v.get(ADDRESS, 0);
        }
    }

    /** Queues a launch on the default stream; params is the array of pointers to the argument values. */
    void launch(String name, MemorySegment f, int gx, int gy, int gz, int bx, int by, int bz, int sharedBytes,
                MemorySegment params) {
        int r = call(() -> (int) launchKernel.invokeExact(f, gx, gy, gz, bx, by, bz, sharedBytes, MemorySegment.NULL,
                params, MemorySegment.NULL));
        if (r != 0) {
            throw new CudaException("cuLaunchKernel(" + name + ", grid " + gx + "x" + gy + "x" + gz + ", block " + bx
                    + ") failed: " + errorName(r) + " (" + errorString(r) + ")", r);
        }
    }

    // ---- memory --------------------------------------------------------------------------------

    /** A device allocation, or 0 when the device is out of memory (other failures throw). */
    long tryAlloc(long bytes) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocate(JAVA_LONG);
            int r = call(() -> (int) memAlloc.invokeExact(v, bytes));
            if (r == CUDA_ERROR_OUT_OF_MEMORY) return 0;
            if (r != 0) throw new CudaException("cuMemAlloc(" + bytes + " bytes) failed: " + errorName(r) + " (" + errorString(r) + ")", r);
            return v.get(JAVA_LONG, 0);
        }
    }

    void free(long ptr) {
        check("cuMemFree", () -> (int) memFree.invokeExact(ptr));
    }

    /** Host to device; src may be a heap segment. Ordered after earlier work on the default stream. */
    void copyToDevice(long dst, MemorySegment src, long bytes) {
        check("cuMemcpyHtoD(" + bytes + " bytes)", () -> (int) memcpyHtoD.invokeExact(dst, src, bytes));
    }

    /** Device to host; dst may be a heap segment. Waits for the work queued before it. */
    void copyToHost(MemorySegment dst, long src, long bytes) {
        check("cuMemcpyDtoH(" + bytes + " bytes)", () -> (int) memcpyDtoH.invokeExact(dst, src, bytes));
    }

    void copyOnDevice(long dst, long src, long bytes) {
        check("cuMemcpyDtoD(" + bytes + " bytes)", () -> (int) memcpyDtoD.invokeExact(dst, src, bytes));
    }

    void fill32(long dst, int value, long count) {
        check("cuMemsetD32", () -> (int) memsetD32.invokeExact(dst, value, count));
    }

    // ---- events (timing) ----------------------------------------------------------------------

    MemorySegment createEvent() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocate(ADDRESS);
            check("cuEventCreate", () -> (int) eventCreate.invokeExact(v, 0));
            return v.get(ADDRESS, 0);
        }
    }

    void record(MemorySegment event) {
        check("cuEventRecord", () -> (int) eventRecord.invokeExact(event, MemorySegment.NULL));
    }

    void waitFor(MemorySegment event) {
        check("cuEventSynchronize", () -> (int) eventSynchronize.invokeExact(event));
    }

    float elapsedMillis(MemorySegment start, MemorySegment end) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocate(JAVA_FLOAT);
            check("cuEventElapsedTime", () -> (int) eventElapsedTime.invokeExact(v, start, end));
            return v.get(JAVA_FLOAT, 0);
        }
    }

    void destroyEvent(MemorySegment event) {
        check("cuEventDestroy", () -> (int) eventDestroy.invokeExact(event));
    }
}
