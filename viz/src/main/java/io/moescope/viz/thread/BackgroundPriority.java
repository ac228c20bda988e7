package io.moescope.viz.thread;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.io.IOException;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Lower scheduling priorities (nice 10) on Linux for the work that can wait, so that where the cores
 * are all busy the FX and render threads run first, rather than the other way round: the analysis,
 * the chart drawer, and the JVM's own concurrent threads (the collector's and the JIT compilers').
 * On two cores, ZGC's concurrent marking and the compilers took a whole core each at times and
 * held the FX thread up for 40-100 ms. On Linux a thread started later inherits its creator's nice
 * value: the java backend's workers, which the compute thread starts when it first hands out work,
 * run at the same priority.
 *
 * <p>Java's own thread priorities do nothing on Linux unless the JVM runs as root with
 * -XX:ThreadPriorityPolicy=1; setpriority(2) on a thread id of one's own process needs no privilege.
 * Elsewhere (no gettid in the C library, no /proc) nothing changes.
 */
public final class BackgroundPriority {
    private static final int NICE = 10;
    private static final int PRIO_PROCESS = 0;   // with a thread id, Linux applies it to that thread alone
    /**
     * The JVM's concurrent threads by name (as /proc shows them, cut at 15 characters): ZGC's and
     * G1's concurrent workers and drivers, and the JIT compilers. Not the VM thread, which runs the
     * safepoints that stop the FX thread too.
     */
    private static final List<String> JVM_BACKGROUND = List.of("ZWorker", "ZDriver", "ZDirector", "G1 Conc", "G1 Refine",
            "C1 CompilerThre", "C2 CompilerThre");

    /** The C library's gettid and setpriority, or null where it has no such function. */
    private static final MethodHandle GETTID = downcall("gettid", FunctionDescriptor.of(JAVA_INT));
    private static final MethodHandle SETPRIORITY = downcall("setpriority", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));

    private BackgroundPriority() {}

    /** A thread that lowers its own priority, then runs the work: for the executors of background work. */
    public static Thread thread(Runnable work, String name) {
        Thread t = new Thread(() -> {
            lowerCurrentThread();
            work.run();
        }, name);
        t.setDaemon(true);
        return t;
    }

    /** True when the calling thread's priority was lowered. */
    public static boolean lowerCurrentThread() {
        try {
            return GETTID != null && lower((int) GETTID.invokeExact());
        } catch (Throwable e) {
            return false;
        }
    }

    /** Lowers the JVM's concurrent collector and compiler threads; how many were lowered. */
    public static int lowerJvmBackgroundThreads() {
        int lowered = 0;
        try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path task : (Iterable<Path>) tasks::iterator) {
                String name = Files.readString(task.resolve("comm")).strip();
                if (JVM_BACKGROUND.stream().anyMatch(name::startsWith) && lower(Integer.parseInt(task.getFileName().toString()))) {
                    lowered++;
                }
            }
        } catch (IOException | RuntimeException e) {
            // no /proc here, or a thread ended while we looked: what was lowered stays lowered
        }
        return lowered;
    }

    private static boolean lower(int tid) {
        try {
            return SETPRIORITY != null && (int) SETPRIORITY.invokeExact(PRIO_PROCESS, tid, NICE) == 0;
        } catch (Throwable e) {
            return false;
        }
    }

    private static MethodHandle downcall(String name, FunctionDescriptor type) {
        try {
            Linker linker = Linker.nativeLinker();
            return linker.defaultLookup().find(name).map(f -> linker.downcallHandle(f, type)).orElse(null);
        } catch (RuntimeException e) {
            // no native access granted (IllegalCallerException): threads keep their priority
            return null;
        }
    }
}
