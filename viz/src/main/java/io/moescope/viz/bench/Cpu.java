package io.moescope.viz.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/** CPU time so far of the threads that draw: the FX thread, the common fork-join pool's workers, JavaFX's render thread. */
final class Cpu {
    private Cpu() {}

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    /** {FX thread, workers, renderer} CPU nanoseconds. */
    static long[] now() {
        long[] t = new long[3];
        for (Thread th : Thread.getAllStackTraces().keySet()) {
            String n = th.getName();
            int k = n.equals("JavaFX Application Thread") ? 0 : n.startsWith("ForkJoinPool.commonPool") ? 1
                    : n.startsWith("QuantumRenderer") ? 2 : -1;
            if (k >= 0) t[k] += Math.max(0, THREADS.getThreadCpuTime(th.threadId()));
        }
        return t;
    }
}
