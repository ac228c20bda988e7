package io.moescope.viz.thread;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/** The compute thread's lower priority, read back from the kernel's own account of the thread. */
@EnabledOnOs(OS.LINUX)
class BackgroundPriorityTest {

    /** The nice value of the calling thread: field 19 of /proc/thread-self/stat (after the parenthesised name). */
    private static int niceOfCurrentThread() throws Exception {
        String stat = Files.readString(Path.of("/proc/thread-self/stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Integer.parseInt(fields[16]);   // fields[0] is field 3 (state)
    }

    @Test
    void lowersTheCallingThreadAndWhatItStartsButNotOthers() throws Exception {
        int before = niceOfCurrentThread();
        AtomicReference<Boolean> lowered = new AtomicReference<>();
        AtomicInteger own = new AtomicInteger(), child = new AtomicInteger();
        Thread t = new Thread(() -> {
            try {
                lowered.set(BackgroundPriority.lowerCurrentThread());
                own.set(niceOfCurrentThread());
                Thread c = new Thread(() -> {
                    try {
                        child.set(niceOfCurrentThread());
                    } catch (Exception e) {
                        child.set(Integer.MIN_VALUE);
                    }
                });
                c.start();
                c.join();
            } catch (Exception e) {
                own.set(Integer.MIN_VALUE);
            }
        });
        t.start();
        t.join();
        assertTrue(lowered.get(), "setpriority on the thread's own id needs no privilege");
        assertEquals(10, own.get(), "the compute thread runs at nice 10");
        assertEquals(10, child.get(), "threads it starts (the java backend's workers) inherit it");
        assertEquals(before, niceOfCurrentThread(), "other threads keep their priority");
    }

    @Test
    void lowersTheJitCompilersButNotTheVmThread() throws Exception {
        assertTrue(BackgroundPriority.lowerJvmBackgroundThreads() >= 2, "at least the C1 and C2 compiler threads");
        assertEquals(10, niceOf("C2 CompilerThre"));
        assertEquals(10, niceOf("C1 CompilerThre"));
        assertEquals(niceOfCurrentThread(), niceOf("VM Thread"), "the VM thread runs the safepoints that stop every thread: never lowered");
    }

    /** The nice value of the first thread of this process with that name. */
    private static int niceOf(String name) throws Exception {
        try (var tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path task : (Iterable<Path>) tasks::iterator) {
                if (Files.readString(task.resolve("comm")).strip().equals(name)) {
                    String stat = Files.readString(task.resolve("stat"));
                    return Integer.parseInt(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[16]);
                }
            }
        }
        throw new AssertionError("no thread named " + name);
    }
}
