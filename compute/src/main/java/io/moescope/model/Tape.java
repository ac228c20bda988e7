package io.moescope.model;

import io.moescope.backend.Backend;
import io.moescope.backend.Tensor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;

/**
 * What a forward pass keeps for its backward pass. Each component's forward saves one record of the
 * tensors its backward needs under the component itself, and its backward takes that record back,
 * so the two directions of a component sit side by side in its file. A forward pass given no tape
 * (null) is inference: components then close their intermediates as soon as they are used.
 *
 * <p>Closing the tape closes every tensor it holds, so that a GPU backend gets the memory back at
 * once rather than when the tensors are collected.
 */
public final class Tape implements AutoCloseable {
    private final Map<Object, Record> saved = new IdentityHashMap<>();
    private final Set<Tensor> held = Collections.newSetFromMap(new IdentityHashMap<>());

    /** Saves what the component's backward will need, when a tape records; inference (null) keeps nothing. */
    static void record(Tape tape, Object component, Record what) {
        if (tape == null) return;
        if (tape.saved.putIfAbsent(component, what) != null) {
            throw new IllegalStateException(component.getClass().getSimpleName() + " ran twice on one tape");
        }
        tape.hold(what);
    }

    /** What the component's forward saved on this tape. */
    <R extends Record> R saved(Object component, Class<R> type) {
        Record r = saved.get(component);
        if (r == null) throw new IllegalStateException("no recorded forward pass of " + component.getClass().getSimpleName());
        return type.cast(r);
    }

    /** Whether a saved record holds t, which must then outlive the forward pass. */
    boolean holds(Tensor t) {
        return held.contains(t);
    }

    /**
     * Closes tensors the forward pass has used, in inference; a recording tape has saved them for
     * backward and closes them itself.
     */
    static void release(Tape tape, Tensor... used) {
        if (tape != null) return;
        for (Tensor t : used) if (t != null) t.close();
    }

    /**
     * A copy of a 2-D view of x, for a recording to keep values that an operation working in place
     * (clamp, rope, scaleRowsBySigmoid) is about to overwrite.
     */
    static Tensor snapshot(Backend b, Tensor x) {
        Tensor out = b.zeros(x.shape());
        b.copyColumns(x, 0, 1, out, 0, x.rows(), x.cols());
        return out;
    }

    /**
     * into += x, then closes x: backward passes make many short-lived gradients, and a GPU backend
     * should get their memory back at once rather than when the garbage collector finds them.
     */
    static void addAndClose(Backend b, Tensor into, Tensor x) {
        try (x) {
            b.addInPlace(into, x);
        }
    }

    @Override
    public void close() {
        held.forEach(Tensor::close);
        held.clear();
        saved.clear();
    }

    /** Records hold tensors, nested records (a routing) and host values (ids, a spec's numbers). */
    private void hold(Object o) {
        switch (o) {
            case null -> {}
            case Tensor t -> held.add(t);
            case Record r -> {
                for (RecordComponent c : r.getClass().getRecordComponents()) hold(component(r, c));
            }
            default -> {}
        }
    }

    private static Object component(Record r, RecordComponent c) {
        try {
            var accessor = c.getAccessor();
            accessor.setAccessible(true);
            return accessor.invoke(r);
        } catch (IllegalAccessException | InvocationTargetException e) {
            throw new IllegalStateException("cannot read " + c.getName() + " of " + r.getClass().getSimpleName(), e);
        }
    }
}
