package io.moescope.viz;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.util.Optional;

/**
 * Gives the calling thread a lower scheduling priority (nice 10) on Linux, so that where the cores
 * are all busy, the FX and render threads run first and background work (the analysis, drawing
 * charts) waits, rather than the other way round. On Linux a thread started later inherits its
 * creator's nice value: the java backend's workers, which the compute thread starts when it first
 * hands out work, run at the same priority.
 *
 * <p>Java's own thread priorities do nothing on Linux unless the JVM runs as root with
 * -XX:ThreadPriorityPolicy=1; setpriority(2) on one's own thread id needs no privilege. Elsewhere
 * (no gettid in the C library) the thread keeps its priority.
 */
public final class BackgroundPriority {
    private static final int NICE = 10;
    private static final int PRIO_PROCESS = 0;   // with a thread id, Linux applies it to that thread alone

    private BackgroundPriority() {}

    /** True when the priority was lowered. */
    public static boolean lowerCurrentThread() {
        try {
            Linker linker = Linker.nativeLinker();
            SymbolLookup libc = linker.defaultLookup();
            Optional<MemorySegment> gettid = libc.find("gettid"), setpriority = libc.find("setpriority");
            if (gettid.isEmpty() || setpriority.isEmpty()) return false;
            int tid = (int) linker.downcallHandle(gettid.get(), FunctionDescriptor.of(JAVA_INT)).invokeExact();
            int rc = (int) linker.downcallHandle(setpriority.get(), FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT))
                    .invokeExact(PRIO_PROCESS, tid, NICE);
            return rc == 0;
        } catch (Throwable e) {
            // no native access granted, or no such call here: the analysis runs at normal priority
            return false;
        }
    }
}
