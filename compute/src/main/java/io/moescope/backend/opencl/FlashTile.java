package io.moescope.backend.opencl;

/**
 * The flash attention kernel's tile: {@code queries} x {@code keys} per step of a work-group, a 4 x 4
 * register tile per work-item. Both are build-time constants of the program (FLASH_BQ and FLASH_BK in
 * attention.cl), so the private arrays unroll; set with -Dmoescope.opencl.flashTile=QUERIESxKEYS.
 */
record FlashTile(int queries, int keys) {
    static final String PROPERTY = "moescope.opencl.flashTile";
    /**
     * The second program's tile, used where its buffers fit the device's local memory; "off" builds none.
     * On an H100, 32 x 64 took the benchmark forward (heads of 64) from 7.04 to 6.02 ms, but at heads of
     * 128 it needs 62 KB, more than NVIDIA's 48 KiB: there the main program's 32 x 32 runs.
     */
    static final String WIDE_PROPERTY = "moescope.opencl.flashTile.wide";
    /** Widest head the kernel takes (FLASH_MAX_D). */
    static final int MAX_D = 128;

    FlashTile {
        if (!fine(queries) || !fine(keys) || queries * keys / 16 > 128) {
            throw new IllegalArgumentException(queries + "x" + keys + " is not a flash attention tile QUERIESxKEYS, each 16, 32 or 64, at most 128 work-items (QUERIES x KEYS / 16)");
        }
    }

    private static boolean fine(int n) {
        return n == 16 || n == 32 || n == 64;
    }

    /**
     * The tile the property asks for; by default 32 queries x 32 keys, the largest whose buffers fit the 48 KiB
     * of local memory NVIDIA's OpenCL gives a work-group at heads of 128 (at 64, 32x64 and 64x32 fit too).
     */
    static FlashTile configured() {
        return parse(PROPERTY, System.getProperty(PROPERTY, "32x32"));
    }

    /** The wide tile the property asks for (default 32 x 64), or null for "off". */
    static FlashTile configuredWide() {
        String value = System.getProperty(WIDE_PROPERTY, "32x64");
        return value.strip().equalsIgnoreCase("off") ? null : parse(WIDE_PROPERTY, value);
    }

    /**
     * The tile to run heads of these widths with: the wide one (null: none) where its buffers fit the local
     * memory and its work-items a work-group, else the main one where it fits, else null (the per-row kernel).
     */
    static FlashTile choose(FlashTile main, FlashTile wide, long localMemory, int maxWorkItems, int dqk, int dv) {
        if (!takes(dqk, dv)) return null;
        for (FlashTile t : new FlashTile[]{wide, main}) {
            if (t != null && localMemory >= t.localBytes(dqk, dv) && maxWorkItems >= t.workItems()) return t;
        }
        return null;
    }

    private static FlashTile parse(String property, String setting) {
        String value = setting.strip();
        String[] p = value.split("x");
        try {
            if (p.length == 2) return new FlashTile(Integer.parseInt(p[0]), Integer.parseInt(p[1]));
        } catch (NumberFormatException e) {
            // reported below with the expected form
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("system property " + property + ": " + e.getMessage(), e);
        }
        throw new IllegalArgumentException("system property " + property + ": '" + value + "' is not QUERIESxKEYS (example: 32x32)");
    }

    int workItems() {
        return queries * keys / 16;
    }

    /** Source lines that set the tile for the program. */
    String defines() {
        return "#define FLASH_BQ " + queries + "\n#define FLASH_BK " + keys + "\n";
    }

    /**
     * The kernel's local buffers for these head widths, in bytes: the queries, the keys (then the values),
     * the probabilities and the rows' partial maxima. Rows are padded by a float4 so that work-items reading
     * different rows hit different banks.
     */
    Kernels.Local[] localBuffers(int dqk, int dv) {
        return new Kernels.Local[]{new Kernels.Local(16L * queries * (dqk / 4 + 1)),
                new Kernels.Local(16L * keys * (Math.max(dqk, dv) / 4 + 1)), new Kernels.Local(16L * keys * (queries / 4 + 1)),
                new Kernels.Local(4L * queries * (keys / 4))};
    }

    long localBytes(int dqk, int dv) {
        long n = 0;
        for (Kernels.Local l : localBuffers(dqk, dv)) n += l.bytes();
        return n;
    }

    /** Whether the kernel takes heads of these widths. */
    static boolean takes(int dqk, int dv) {
        return dqk > 0 && dv > 0 && dqk <= MAX_D && dv <= MAX_D && dqk % 4 == 0 && dv % 4 == 0;
    }
}
