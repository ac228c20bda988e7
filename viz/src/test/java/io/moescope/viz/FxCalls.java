package io.moescope.viz;

import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.testfx.util.WaitForAsyncUtils;

/** Runs test code on the JavaFX thread and waits for it, at most a minute, so a hung UI fails the test. */
public final class FxCalls {
    private FxCalls() {}

    /** Code for the JavaFX thread that returns nothing; what it throws fails the waiting test. */
    @FunctionalInterface
    public interface FxAction {
        void run() throws Exception;
    }

    public static <T> T fx(Callable<T> c) throws Exception {
        return WaitForAsyncUtils.asyncFx(c).get(60, TimeUnit.SECONDS);
    }

    public static void fxRun(FxAction action) throws Exception {
        fx(() -> {
            action.run();
            return null;
        });
    }
}
