package io.moescope.grad;

import io.moescope.backend.Routing;
import io.moescope.backend.Tensor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.Collection;

/**
 * Releases what a forward pass kept for backward once backward is done, so that a GPU backend gets
 * its memory back at once instead of when the tensors are collected. Tapes are records of tensors,
 * routings, lists and nested tapes; closing a tensor twice (one kept in two tapes) is harmless.
 */
final class Tapes {
    private Tapes() {}

    static void close(Object o) {
        switch (o) {
            case null -> {}
            case Tensor t -> t.close();
            case Routing r -> r.close();
            case Collection<?> c -> c.forEach(Tapes::close);
            case Record r when r.getClass().getPackageName().equals(Tapes.class.getPackageName()) -> {
                for (RecordComponent c : r.getClass().getRecordComponents()) close(component(r, c));
            }
            default -> {}   // ids, losses and other host values
        }
    }

    private static Object component(Record r, RecordComponent c) {
        try {
            var accessor = c.getAccessor();
            accessor.setAccessible(true);
            return accessor.invoke(r);
        } catch (IllegalAccessException | InvocationTargetException e) {
            throw new IllegalStateException("cannot read tape component " + c.getName() + " of " + r.getClass().getSimpleName(), e);
        }
    }
}
