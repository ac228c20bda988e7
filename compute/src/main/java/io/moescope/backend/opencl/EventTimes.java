package io.moescope.backend.opencl;

import static org.jocl.CL.*;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_event;

/**
 * Profiling events of the commands queued while an operation is being timed, summed per operation
 * once they have run: CL_PROFILING_COMMAND_START to _END of each kernel, fill and copy (the queue
 * is created with CL_QUEUE_PROFILING_ENABLE). No events are asked for while nothing is timed.
 */
final class EventTimes {
    private record Pending(String op, cl_event event) {}

    private volatile String op;
    private final List<Pending> pending = new ArrayList<>();

    void timeAs(String op) {
        this.op = op;
    }

    /**
     * Queues a command through enqueue, which passes the event it is given on to OpenCL: a fresh one
     * kept under the operation being timed, or null (no event) when nothing is timed.
     */
    void enqueue(Consumer<cl_event> enqueue) {
        String timed = op;
        cl_event event = timed == null ? null : new cl_event();
        enqueue.accept(event);
        if (event != null) keep(timed, event);
    }

    private synchronized void keep(String timed, cl_event event) {
        pending.add(new Pending(timed, event));
    }

    /** Device nanoseconds per operation of the pending events, which must all have completed (after clFinish). */
    synchronized Map<String, Long> drain() {
        Map<String, Long> byOp = new LinkedHashMap<>();
        long[] start = new long[1], end = new long[1];
        for (Pending p : pending) {
            clGetEventProfilingInfo(p.event(), CL_PROFILING_COMMAND_START, Sizeof.cl_ulong, Pointer.to(start), null);
            clGetEventProfilingInfo(p.event(), CL_PROFILING_COMMAND_END, Sizeof.cl_ulong, Pointer.to(end), null);
            clReleaseEvent(p.event());
            byOp.merge(p.op(), Math.max(0, end[0] - start[0]), Long::sum);
        }
        pending.clear();
        return byOp;
    }

    /** Releases events nobody will read. */
    synchronized void discard() {
        pending.forEach(p -> clReleaseEvent(p.event()));
        pending.clear();
    }
}
