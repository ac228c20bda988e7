package io.moescope.backend.opencl;

import static org.jocl.CL.*;

import io.moescope.backend.DeviceInfo;
import java.lang.foreign.MemorySegment;
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
    /**
     * The GEMM work-group shape, THREADSxWIDTH (threads per side, outputs per work-item per side):
     * 16x4 (64 x 64 tiles of 256 work-items) unless set. On the H100 the forward pass of the benchmark
     * model took 19.0-19.6 ms with 16x4, 19.9-20.8 with 8x8, 21.1 with 16x8 and 21.9 with 8x4.
     */
    static final String GEMM_PROPERTY = "moescope.opencl.gemm";

    /** Threads per side of a GEMM work-group (GEMM_T in the sources). */
    final int gemmThreads;
    /** Outputs per side of one work-item's GEMM micro-tile (GEMM_W in the sources). */
    final int gemmWidth;
    /** Local memory of one work-group, in bytes. */
    final long localMemory;

    private final cl_context context;
    private final cl_command_queue queue;
    private final cl_mem none;

    // clCreateCommandQueueWithProperties replaced it in OpenCL 2.0, but 1.2 devices have only this one.
    @SuppressWarnings("deprecation")
    ClContext(ClDevices.Found found) {
        this.info = found.info();
        cl_device_id device = found.device();
        cl_context_properties props = new cl_context_properties();
        props.addProperty(CL_CONTEXT_PLATFORM, found.platform());
        this.context = clCreateContext(props, 1, new cl_device_id[]{device}, null, null, null);
        this.queue = clCreateCommandQueue(context, device, 0, null);
        this.memory = new DeviceMemory(context, found.info().name(), ClDevices.deviceLong(device, CL_DEVICE_GLOBAL_MEM_SIZE),
                ClDevices.deviceLong(device, CL_DEVICE_MAX_MEM_ALLOC_SIZE));
        long maxGroup = ClDevices.deviceSize(device, CL_DEVICE_MAX_WORK_GROUP_SIZE);
        this.reductionSize = (int) Math.min(128, Long.highestOneBit(maxGroup));
        int[] shape = gemmShape(System.getProperty(GEMM_PROPERTY, "16x4"), maxGroup);
        this.gemmThreads = shape[0];
        this.gemmWidth = shape[1];
        this.localMemory = ClDevices.deviceLong(device, CL_DEVICE_LOCAL_MEM_SIZE);
        this.none = clCreateBuffer(context, CL_MEM_READ_WRITE, 16, null, null);
        try {
            this.kernels = new Kernels(context, device, queue, memory,
                    "-D RED_WG=" + reductionSize + " -D GEMM_T=" + gemmThreads + " -D GEMM_W=" + gemmWidth, none);
        } catch (RuntimeException e) {
            clReleaseMemObject(none);
            clReleaseCommandQueue(queue);
            clReleaseContext(context);
            throw e;
        }
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
        if (count > 0) clEnqueueFillBuffer(queue, dst, Pointer.to(new float[]{value}), Sizeof.cl_float, 0, count * Sizeof.cl_float, 0, null, null);
    }

    void fill(cl_mem dst, int value, long count) {
        if (count > 0) clEnqueueFillBuffer(queue, dst, Pointer.to(new int[]{value}), Sizeof.cl_int, 0, count * Sizeof.cl_int, 0, null, null);
    }

    void copy(cl_mem src, cl_mem dst, long bytes) {
        if (bytes > 0) clEnqueueCopyBuffer(queue, src, dst, 0, 0, bytes, 0, null, null);
    }

    void finish() {
        clFinish(queue);
    }

    @Override
    public void close() {
        clFinish(queue);
        memory.close();
        kernels.close();
        clReleaseMemObject(none);
        clReleaseCommandQueue(queue);
        clReleaseContext(context);
    }

    /** {threads, width} from "TxW", threads shrunk to what the device's work-groups allow. */
    static int[] gemmShape(String value, long maxGroup) {
        String[] p = value.strip().split("x");
        int t, w;
        try {
            t = Integer.parseInt(p[0]);
            w = p.length == 2 ? Integer.parseInt(p[1]) : -1;
        } catch (NumberFormatException e) {
            t = w = -1;
        }
        if (t < 1 || t > 32 || w < 4 || w > 16 || w % 4 != 0) {
            throw new IllegalArgumentException("system property " + GEMM_PROPERTY + ": '" + value
                    + "' is not a GEMM shape THREADSxWIDTH, WIDTH a multiple of 4 (examples: 8x8, 16x4)");
        }
        while (t > 1 && (long) t * t > maxGroup) t /= 2;
        return new int[]{t, w};
    }
}
