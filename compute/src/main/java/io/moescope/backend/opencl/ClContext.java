package io.moescope.backend.opencl;

import static org.jocl.CL.*;

import io.moescope.backend.DeviceInfo;
import java.lang.foreign.MemorySegment;
import java.util.Map;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_command_queue;
import org.jocl.cl_context;
import org.jocl.cl_context_properties;
import org.jocl.cl_device_id;
import org.jocl.cl_mem;

/**
 * An OpenCL context on one device with its in-order queue, program, allocator and the copies
 * between host and device. In-order execution is what lets operations follow each other without
 * waiting on the host.
 */
final class ClContext implements AutoCloseable {
    /** Largest piece of a host copy: JOCL passes NIO buffers, which are indexed by int. */
    private static final long CHUNK = 1L << 30;

    final DeviceInfo info;
    final DeviceMemory memory;
    final Kernels kernels;
    /** Work-group size of the reduction kernels (RED_WG in the sources). */
    final int reductionSize;
    /** The most work-items the device takes in one work-group. */
    final long maxWorkGroup;
    /**
     * The GEMM tile (GemmConfig: BMxBNxBKxTMxTN, or large, medium, small) of the main program, which
     * all experts' products use too. Default: large (128x128x8x8x8, the ptx backend's) on GPUs, small
     * (64x64x16x4x4, the previous kernel's shape) elsewhere: PoCL runs a work-group's items as loops,
     * and 64 accumulators each do not vectorise across them as well as 16.
     */
    static final String GEMM_PROPERTY = "moescope.opencl.gemm";
    /**
     * The tile of dense products that would give fewer main tiles than the device has compute units
     * (2048 x 512 projections on an H100: 64 large tiles for 132 multiprocessors), built as a second
     * program; "off" builds none. Default: small on GPUs, off elsewhere.
     */
    static final String NARROW_GEMM_PROPERTY = "moescope.opencl.gemm.narrow";

    /** The main program's GEMM tile. */
    final GemmConfig gemm;
    /** The second program's GEMM tile, or null when there is none. */
    final GemmConfig narrowGemm;
    /** The second program (gemm.cl alone, built for narrowGemm), or null. */
    final Kernels narrowKernels;
    /** The flash attention tile the main program was built for. */
    final FlashTile flashTile = FlashTile.configured();
    /** The third program's flash tile (attention.cl alone), or null when there is none. */
    final FlashTile wideFlash = wideFlash(flashTile);
    /** The third program, or null. */
    final Kernels wideFlashKernels;
    /** Compute units (multiprocessors, cores) of the device. */
    final int computeUnits;
    /** Local memory of one work-group, in bytes. */
    final long localMemory;

    /** Profiling events of timed operations (see {@link io.moescope.backend.profile.DeviceTimer}). */
    final EventTimes times = new EventTimes();
    private final cl_context context;
    private final cl_command_queue queue;
    private final cl_mem none;

    /** The device with the GEMM tiles that the system properties name, or the defaults for its kind. */
    ClContext(ClDevices.Found found) {
        this(found, configured(GEMM_PROPERTY, found.gpu() ? "large" : "small"),
                configured(NARROW_GEMM_PROPERTY, found.gpu() ? "small" : "off"));
    }

    // clCreateCommandQueueWithProperties replaced it in OpenCL 2.0, but 1.2 devices have only this one.
    @SuppressWarnings("deprecation")
    ClContext(ClDevices.Found found, GemmConfig gemm, GemmConfig narrowGemm) {
        this.info = found.info();
        cl_device_id device = found.device();
        long maxGroup = ClDevices.deviceSize(device, CL_DEVICE_MAX_WORK_GROUP_SIZE);
        this.maxWorkGroup = maxGroup;
        this.localMemory = ClDevices.deviceLong(device, CL_DEVICE_LOCAL_MEM_SIZE);
        this.computeUnits = ClDevices.deviceInt(device, CL_DEVICE_MAX_COMPUTE_UNITS);
        this.gemm = fits(gemm, maxGroup);
        this.narrowGemm = narrowGemm == null ? null : fits(narrowGemm, maxGroup);
        this.reductionSize = (int) Math.min(128, Long.highestOneBit(maxGroup));
        cl_context_properties props = new cl_context_properties();
        props.addProperty(CL_CONTEXT_PLATFORM, found.platform());
        this.context = clCreateContext(props, 1, new cl_device_id[]{device}, null, null, null);
        // Profiling enabled always: events are asked for only while an operation is being timed.
        this.queue = clCreateCommandQueue(context, device, CL_QUEUE_PROFILING_ENABLE, null);
        this.memory = new DeviceMemory(context, found.info().name(), ClDevices.deviceLong(device, CL_DEVICE_GLOBAL_MEM_SIZE),
                ClDevices.deviceLong(device, CL_DEVICE_MAX_MEM_ALLOC_SIZE));
        this.none = clCreateBuffer(context, CL_MEM_READ_WRITE, 16, null, null);
        Kernels main = null, narrow = null;
        try {
            String red = "-D RED_WG=" + reductionSize;
            main = new Kernels(context, device, queue, memory, times, flashTile.defines() + KernelSource.program(), red + this.gemm.defines(), none);
            narrow = this.narrowGemm == null ? null
                    : new Kernels(context, device, queue, memory, times, KernelSource.gemm(), red + this.narrowGemm.defines(), none);
            this.wideFlashKernels = wideFlash == null ? null
                    : new Kernels(context, device, queue, memory, times, wideFlash.defines() + KernelSource.attention(), red, none);
            this.narrowKernels = narrow;
            this.kernels = main;
        } catch (RuntimeException e) {
            if (main != null) main.close();
            if (narrow != null) narrow.close();
            clReleaseMemObject(none);
            clReleaseCommandQueue(queue);
            clReleaseContext(context);
            throw e;
        }
    }

    /** The wide tile, unless it is off or the main tile already. */
    private static FlashTile wideFlash(FlashTile main) {
        FlashTile wide = FlashTile.configuredWide();
        return main.equals(wide) ? null : wide;
    }

    /** The tile a property names, or its default; null for "off". */
    static GemmConfig configured(String property, String fallback) {
        String value = System.getProperty(property, fallback);
        return value.strip().equalsIgnoreCase("off") ? null : GemmConfig.parse(property, value);
    }

    private GemmConfig fits(GemmConfig c, long maxGroup) {
        if (c.threads() > maxGroup || c.localBytes() > localMemory) {
            throw new IllegalArgumentException("GEMM tile " + c + " (" + GEMM_PROPERTY + ", " + NARROW_GEMM_PROPERTY + ") needs "
                    + c.threads() + " work-items and " + c.localBytes() + " bytes of local memory; " + info.name() + " allows "
                    + maxGroup + " and " + localMemory);
        }
        return c;
    }

    /** Work-group size of the one-item-per-element kernels. */
    private static final int ELEMENTWISE_GROUP = 64;

    OpenClTensor floats(int... shape) {
        return OpenClTensor.allocate(memory, false, shape);
    }

    OpenClTensor ints(int... shape) {
        return OpenClTensor.allocate(memory, true, shape);
    }

    /** A kernel with one work-item per element (or per row, column, token: whatever it counts). */
    void perItem(String kernel, long items, Object... args) {
        kernels.launch(kernel, new long[]{items}, new long[]{Math.min(ELEMENTWISE_GROUP, reductionSize)}, args);
    }

    /** A kernel with one work-group of reductionSize work-items per row. */
    void perGroup(String kernel, long groups, Object... args) {
        kernels.launch(kernel, new long[]{groups * reductionSize}, new long[]{reductionSize}, args);
    }

    void write(cl_mem dst, float[] src) {
        if (src.length > 0) clEnqueueWriteBuffer(queue, dst, true, 0, (long) src.length * Sizeof.cl_float, Pointer.to(src), 0, null, null);
    }

    void write(cl_mem dst, int[] src) {
        if (src.length > 0) clEnqueueWriteBuffer(queue, dst, true, 0, (long) src.length * Sizeof.cl_int, Pointer.to(src), 0, null, null);
    }

    /** Copies a native segment (such as a memory-mapped weight), in pieces an NIO buffer can span. */
    void write(cl_mem dst, MemorySegment src) {
        for (long off = 0; off < src.byteSize(); off += CHUNK) {
            long n = Math.min(CHUNK, src.byteSize() - off);
            try {
                clEnqueueWriteBuffer(queue, dst, true, off, n, Pointer.to(src.asSlice(off, n).asByteBuffer()), 0, null, null);
            } catch (org.jocl.CLException e) {
                // Lazily allocating drivers fail here, on the first write into a new buffer.
                if (DeviceMemory.isOutOfMemory(e)) throw memory.outOfMemory(0, e);
                throw e;
            }
        }
    }

    void read(cl_mem src, float[] dst) {
        if (dst.length > 0) clEnqueueReadBuffer(queue, src, true, 0, (long) dst.length * Sizeof.cl_float, Pointer.to(dst), 0, null, null);
    }

    void read(cl_mem src, int[] dst) {
        if (dst.length > 0) clEnqueueReadBuffer(queue, src, true, 0, (long) dst.length * Sizeof.cl_int, Pointer.to(dst), 0, null, null);
    }

    void fill(cl_mem dst, float value, long count) {
        if (count > 0) times.enqueue(e -> clEnqueueFillBuffer(queue, dst, Pointer.to(new float[]{value}), Sizeof.cl_float, 0, count * Sizeof.cl_float, 0, null, e));
    }

    void fill(cl_mem dst, int value, long count) {
        if (count > 0) times.enqueue(e -> clEnqueueFillBuffer(queue, dst, Pointer.to(new int[]{value}), Sizeof.cl_int, 0, count * Sizeof.cl_int, 0, null, e));
    }

    void copy(cl_mem src, cl_mem dst, long bytes) {
        if (bytes > 0) times.enqueue(e -> clEnqueueCopyBuffer(queue, src, dst, 0, 0, bytes, 0, null, e));
    }

    void finish() {
        clFinish(queue);
    }

    /** Device nanoseconds per timed operation since the last call; waits for the queue. */
    Map<String, Long> drainTimes() {
        clFinish(queue);
        return times.drain();
    }

    @Override
    public void close() {
        clFinish(queue);
        times.discard();
        memory.close();
        kernels.close();
        if (narrowKernels != null) narrowKernels.close();
        if (wideFlashKernels != null) wideFlashKernels.close();
        clReleaseMemObject(none);
        clReleaseCommandQueue(queue);
        clReleaseContext(context);
    }

}
