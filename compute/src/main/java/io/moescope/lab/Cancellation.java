package io.moescope.lab;

import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;

/** The lab's long runs look at their cancel flag between passes, never inside one. */
final class Cancellation {
    private Cancellation() {}

    /** @throws CancellationException when {@code cancelled} has turned true */
    static void check(BooleanSupplier cancelled) {
        if (cancelled.getAsBoolean()) throw new CancellationException("cancelled");
    }
}
