package io.moescope.backend.opencl;

import static org.jocl.CL.*;

import java.util.HashMap;
import java.util.Map;
import org.jocl.CLException;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_command_queue;
import org.jocl.cl_context;
import org.jocl.cl_device_id;
import org.jocl.cl_kernel;
import org.jocl.cl_mem;
import org.jocl.cl_program;

/**
 * A kernel program, built once per context, and the one place its kernels are launched from (so
 * that profiling events are asked for in one place).
 */
final class Kernels implements AutoCloseable {
    /** Local memory of the given size, as a kernel argument. */
    record Local(long bytes) {}

    private final cl_command_queue queue;
    private final DeviceMemory memory;
    private final EventTimes times;
    private final cl_program program;
    private final cl_mem none;   // stands in for absent optional buffers
    private final Map<String, cl_kernel> kernels = new HashMap<>();

    Kernels(cl_context context, cl_device_id device, cl_command_queue queue, DeviceMemory memory, EventTimes times, String source,
            String options, cl_mem none) {
        this.queue = queue;
        this.memory = memory;
        this.times = times;
        this.none = none;
        this.program = clCreateProgramWithSource(context, 1, new String[]{source}, new long[]{source.length()}, null);
        try {
            clBuildProgram(program, 1, new cl_device_id[]{device}, options, null, null);
        } catch (CLException e) {
            String log = buildLog(device);
            clReleaseProgram(program);
            throw new IllegalStateException("OpenCL kernels failed to build (" + e.getMessage() + "):\n" + log, e);
        }
    }

    /**
     * Runs a kernel over a grid of {@code global} work-items (rounded up to whole work-groups of
     * {@code local}); kernels check their own bounds. Arguments: tensors, cl_mem, Integer, Float,
     * Local, or null for an absent buffer.
     */
    synchronized void launch(String name, long[] global, long[] local, Object... args) {
        long[] g = new long[global.length];
        for (int i = 0; i < g.length; i++) {
            if (global[i] <= 0) return;   // nothing to do, and OpenCL refuses an empty grid
            g[i] = (global[i] + local[i] - 1) / local[i] * local[i];
        }
        cl_kernel k = kernel(name);
        for (int i = 0; i < args.length; i++) setArg(k, i, args[i]);
        times.enqueue(event -> {
            try {
                clEnqueueNDRangeKernel(queue, k, g.length, null, g, local, 0, null, event);
            } catch (CLException e) {
                // Drivers that allocate lazily (NVIDIA's) report a full device here, not at clCreateBuffer:
                // once the cached buffers are given back, there may be room.
                if (!DeviceMemory.isOutOfMemory(e)) throw e;
                memory.trim();
                try {
                    clEnqueueNDRangeKernel(queue, k, g.length, null, g, local, 0, null, event);
                } catch (CLException again) {
                    if (DeviceMemory.isOutOfMemory(again)) throw memory.outOfMemory(0, again);
                    throw again;
                }
            }
        });
    }

    private void setArg(cl_kernel k, int i, Object arg) {
        switch (arg) {
            case null -> clSetKernelArg(k, i, Sizeof.cl_mem, Pointer.to(none));
            case OpenClTensor t -> clSetKernelArg(k, i, Sizeof.cl_mem, Pointer.to(t.mem()));
            case cl_mem m -> clSetKernelArg(k, i, Sizeof.cl_mem, Pointer.to(m));
            case Integer v -> clSetKernelArg(k, i, Sizeof.cl_int, Pointer.to(new int[]{v}));
            case Float v -> clSetKernelArg(k, i, Sizeof.cl_float, Pointer.to(new float[]{v}));
            case Boolean v -> clSetKernelArg(k, i, Sizeof.cl_int, Pointer.to(new int[]{v ? 1 : 0}));
            case Local l -> clSetKernelArg(k, i, l.bytes(), null);
            default -> throw new IllegalArgumentException("unsupported kernel argument " + arg.getClass().getName());
        }
    }

    private cl_kernel kernel(String name) {
        return kernels.computeIfAbsent(name, n -> clCreateKernel(program, n, null));
    }

    private String buildLog(cl_device_id device) {
        long[] size = new long[1];
        clGetProgramBuildInfo(program, device, CL_PROGRAM_BUILD_LOG, 0, null, size);
        byte[] buf = new byte[(int) size[0]];
        clGetProgramBuildInfo(program, device, CL_PROGRAM_BUILD_LOG, buf.length, Pointer.to(buf), null);
        return new String(buf, java.nio.charset.StandardCharsets.UTF_8).trim();
    }

    @Override
    public synchronized void close() {
        kernels.values().forEach(org.jocl.CL::clReleaseKernel);
        kernels.clear();
        clReleaseProgram(program);
    }
}
