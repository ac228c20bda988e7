package io.moescope.viz.bench;

import com.sun.javafx.perf.PerformanceTracker;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javafx.scene.Scene;

/**
 * When the frames of one scene reach the screen. JavaFX draws a frame on its render thread after
 * the FX thread's pulse has synchronised the scene graph, and says nothing public when that is
 * done; the scene's performance tracker (internal API, as in JavaFX's own perf tools) is told from
 * the render thread as each frame is finished, presented included. So a change made on the FX
 * thread at t0 is on screen when the first frame after it is finished.
 */
final class FrameClock {
    private final AtomicLong frames = new AtomicLong();
    private final ConcurrentHashMap<Long, Long> finishedAt = new ConcurrentHashMap<>();
    private volatile long lastFrame = System.nanoTime();

    /** FX thread. */
    FrameClock(Scene scene) {
        PerformanceTracker.getSceneTracker(scene).setOnRenderedFrameTask(() -> {
            long now = System.nanoTime();
            finishedAt.put(frames.incrementAndGet(), now);
            lastFrame = now;
        });
    }

    /** Frames finished so far. */
    long frames() {
        return frames.get();
    }

    /** Waits until no frame has been finished for quietMillis, so that none is in flight. */
    void awaitQuiet(long quietMillis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() - lastFrame < TimeUnit.MILLISECONDS.toNanos(quietMillis)) {
            if (System.nanoTime() > deadline) throw new IllegalStateException("the scene never stops drawing");
            Thread.sleep(5);
        }
    }

    /** When the first frame after the first {@code count} frames was finished (System.nanoTime). */
    long awaitFrameAfter(long count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        Long t;
        while ((t = finishedAt.get(count + 1)) == null) {
            if (System.nanoTime() > deadline) throw new IllegalStateException("no frame was drawn");
            Thread.sleep(0, 200_000);
        }
        finishedAt.clear();
        return t;
    }
}
