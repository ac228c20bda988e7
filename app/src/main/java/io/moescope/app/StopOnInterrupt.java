package io.moescope.app;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Ctrl-C for long commands: instead of dying mid-step, the JVM's shutdown waits while the command
 * sees {@link #stopped()} turn true at its next check and finishes cleanly (saves, or writes
 * nothing). Closing it ends the wait and removes the hook.
 */
final class StopOnInterrupt implements AutoCloseable {
    private final AtomicBoolean stop = new AtomicBoolean();
    private final CountDownLatch finished = new CountDownLatch(1);
    private final Thread hook;

    /** @param graceSeconds how long the shutdown waits for the command to finish */
    StopOnInterrupt(int graceSeconds) {
        hook = new Thread(() -> {
            stop.set(true);
            try {
                finished.await(graceSeconds, TimeUnit.SECONDS);
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
        });
        Runtime.getRuntime().addShutdownHook(hook);
    }

    boolean stopped() {
        return stop.get();
    }

    @Override
    public void close() {
        finished.countDown();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // already running: it sees the latch
        }
    }
}
