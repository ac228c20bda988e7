package io.moescope.backend.ptx;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Every kernel launch goes through here, so that per-kernel timing ({@link KernelProfile}) wraps them
 * all. Arguments are written into one reused native block, 8 bytes a slot: tensors as their device
 * address, Long as 64 bits, Integer sign-extended (so a kernel may declare it int or long long), Float
 * and Double as their bits, null as a null pointer. The driver copies them at launch.
 */
final class Launcher {
    private static final int MAX_ARGS = 32;

    private final CudaDriver cu;
    private final KernelModules kernels;
    final KernelProfile profile;
    private final MemorySegment values;
    private final MemorySegment pointers;

    Launcher(CudaDriver cu, KernelModules kernels, KernelProfile profile) {
        this.cu = cu;
        this.kernels = kernels;
        this.profile = profile;
        Arena arena = Arena.global();
        values = arena.allocate(8L * MAX_ARGS, 8);
        pointers = arena.allocate(ADDRESS, MAX_ARGS);
        for (int i = 0; i < MAX_ARGS; i++) pointers.setAtIndex(ADDRESS, i, values.asSlice(8L * i, 8));
    }

    /** Launches kernel on a gx x gy x gz grid of 1-D blocks; a grid with no blocks launches nothing. */
    synchronized void launch(String kernel, long gx, long gy, long gz, int block, int sharedBytes, Object... args) {
        if (gx <= 0 || gy <= 0 || gz <= 0) return;
        if (gx > Integer.MAX_VALUE || gy > 65535 || gz > 65535) {
            throw new IllegalArgumentException(kernel + ": grid " + gx + "x" + gy + "x" + gz + " exceeds the device's limits");
        }
        if (args.length > MAX_ARGS) throw new IllegalArgumentException(kernel + ": too many arguments");
        for (int i = 0; i < args.length; i++) {
            long at = 8L * i;
            switch (args[i]) {
                case null -> values.set(JAVA_LONG, at, 0L);
                case PtxTensor t -> values.set(JAVA_LONG, at, t.ptr());
                case Long l -> values.set(JAVA_LONG, at, l);
                case Integer n -> values.set(JAVA_LONG, at, (long) n);
                case Float f -> {
                    values.set(JAVA_LONG, at, 0L);
                    values.set(JAVA_FLOAT, at, f);
                }
                case Double d -> values.set(JAVA_DOUBLE, at, d);
                case Boolean b -> values.set(JAVA_LONG, at, b ? 1L : 0L);
                default -> throw new IllegalArgumentException(kernel + ": unsupported argument " + args[i].getClass());
            }
        }
        MemorySegment f = kernels.function(kernel);
        Object mark = profile.before(kernel);
        cu.launch(kernel, f, (int) gx, (int) gy, (int) gz, block, 1, 1, sharedBytes, pointers);
        profile.after(mark);
    }
}
