package io.moescope.viz.bench;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javafx.application.Platform;

/**
 * How late the FX thread runs a task posted to it: one task at a time, the next 2 ms after the last
 * ran, so that the probe never builds a queue of its own. Delays are kept per phase (named by the
 * caller, e.g. "first analysis in a newly shown tab"). While a task is more than {@link #SAMPLE_AFTER_MS}
 * late, the FX and render threads' stacks are sampled every 5 ms, so that the report can say
 * where the time went.
 */
final class StallProbe {
    static final int SAMPLE_AFTER_MS = 30;

    private final Thread fxThread;
    private final Map<String, List<Double>> delays = new LinkedHashMap<>();
    private final Map<String, Integer> where = new HashMap<>();
    private volatile String phase;
    private volatile boolean probing = true;
    private final Thread probe;

    StallProbe(Thread fxThread, String firstPhase) {
        this.fxThread = fxThread;
        this.phase = firstPhase;
        this.probe = new Thread(this::loop, "fx-stall-probe");
        probe.setDaemon(true);
        probe.start();
    }

    void phase(String name) {
        phase = name;
    }

    private void loop() {
        while (probing) {
            long posted = System.nanoTime();
            String p = phase;
            CountDownLatch ran = new CountDownLatch(1);
            Platform.runLater(() -> {
                double late = (System.nanoTime() - posted) / 1e6;
                synchronized (delays) {
                    delays.computeIfAbsent(p, k -> new ArrayList<>()).add(late);
                }
                ran.countDown();
            });
            try {
                if (!ran.await(SAMPLE_AFTER_MS, TimeUnit.MILLISECONDS)) {
                    while (!ran.await(5, TimeUnit.MILLISECONDS)) sample();
                }
                Thread.sleep(2);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Where the FX thread is, and the renderer too when the FX thread waits for it. */
    private void sample() {
        String fx = describe(fxThread.getStackTrace());
        if (fx.contains("waitFor") || fx.contains("Lock") || fx.contains("park")) {
            for (Thread t : Thread.getAllStackTraces().keySet()) {
                if (t.getName().startsWith("QuantumRenderer")) fx += "  <- renderer: " + describe(t.getStackTrace());
            }
        }
        synchronized (where) {
            where.merge(phase + " | " + fx, 1, Integer::sum);
        }
    }

    /** The innermost frame, and the innermost frames of our code and of the libraries that draw. */
    private static String describe(StackTraceElement[] stack) {
        if (stack.length == 0) return "?";
        StringBuilder s = new StringBuilder(frame(stack[0]));
        int ours = 0, lib = 0;
        for (StackTraceElement e : stack) {
            String c = e.getClassName();
            if (c.startsWith("io.moescope") && ours++ < 3) s.append(" < ").append(frame(e));
            else if ((c.startsWith("org.jfree") || c.startsWith("javafx.scene") || c.startsWith("com.sun.prism")
                    || c.startsWith("com.sun.javafx.sg")) && lib++ < 2 && ours == 0) s.append(" < ").append(frame(e));
        }
        return s.toString();
    }

    private static String frame(StackTraceElement e) {
        String c = e.getClassName();
        return c.substring(c.lastIndexOf('.') + 1) + "." + e.getMethodName();
    }

    /** Stops the probe; the delays per phase in the order the phases began. */
    Map<String, List<Double>> stop() throws InterruptedException {
        probing = false;
        probe.join();
        synchronized (delays) {
            return new LinkedHashMap<>(delays);
        }
    }

    /** The most often sampled stall stacks in the phases accepted, most frequent first (5 ms per sample). */
    List<String> hotStalls(int n, java.util.function.Predicate<String> phases) {
        synchronized (where) {
            return where.entrySet().stream().filter(e -> phases.test(e.getKey().substring(0, e.getKey().indexOf(" | "))))
                    .sorted((a, b) -> b.getValue() - a.getValue()).limit(n)
                    .map(e -> e.getValue() * 5 + " ms  " + e.getKey()).toList();
        }
    }
}
