package io.moescope.backend.java;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

/**
 * The java backend's threads: a pool of them, and {@link #parallelFor}, which every operation that
 * splits its work goes through.
 */
final class Scheduler implements AutoCloseable {
    private final ForkJoinPool pool;
    private final int threads;

    Scheduler(int threads) {
        if (threads < 1) throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        this.threads = threads;
        this.pool = new ForkJoinPool(threads);
    }

    int threads() {
        return threads;
    }

    /**
     * Runs body(i) for i in [0, n), spread over the pool when there is enough work. The calling
     * thread takes part and items go out in order from a shared counter: a parallel stream parked
     * the caller, woke it again at the end, and split the range into tasks sized for the common
     * pool rather than this one, which cost tens of microseconds a call, and calls come about a
     * hundred times a forward pass, many for sub-millisecond operations. In-order dispensing also
     * keeps the orders that callers choose (the largest attention blocks first).
     */
    void parallelFor(int n, long workPerItem, IntConsumer body) {
        if (threads == 1 || n < 2 || n * workPerItem < 32_768) {
            for (int i = 0; i < n; i++) body.accept(i);
            return;
        }
        AtomicInteger next = new AtomicInteger();
        Runnable worker = () -> {
            for (int i; (i = next.getAndIncrement()) < n; ) body.accept(i);
        };
        ForkJoinTask<?>[] helpers = new ForkJoinTask<?>[Math.min(threads, n) - 1];
        for (int h = 0; h < helpers.length; h++) helpers[h] = pool.submit(worker);
        try {
            worker.run();
        } catch (RuntimeException | Error e) {
            next.set(n);   // the helpers stop at their next item
            throw e;
        } finally {
            for (ForkJoinTask<?> h : helpers) h.join();
        }
    }

    @Override
    public void close() {
        pool.shutdown();
    }
}
