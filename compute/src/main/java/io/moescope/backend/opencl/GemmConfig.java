package io.moescope.backend.opencl;

/**
 * A tile configuration of gemm.cl, fixed when the program is built: a work-group computes a bm x bn
 * tile in steps of bk, each work-item tm x tn of it. Written BMxBNxBKxTMxTN, as in
 * {@code -Dmoescope.opencl.gemm=128x128x8x8x8}.
 */
record GemmConfig(int bm, int bn, int bk, int tm, int tn) {
    /** The ptx backend's Large tile: 256 work-items of 8 x 8, for GPUs. */
    static final GemmConfig LARGE = new GemmConfig(128, 128, 8, 8, 8);
    /** Its Medium tile, 128 x 64, for products too narrow to fill a GPU with large tiles. */
    static final GemmConfig MEDIUM = new GemmConfig(128, 64, 16, 8, 4);
    /** Its Small tile, the shape of the previous OpenCL kernel: 256 work-items of 4 x 4. */
    static final GemmConfig SMALL = new GemmConfig(64, 64, 16, 4, 4);

    GemmConfig {
        if (bm <= 0 || bn <= 0 || bk <= 0 || (tm != 4 && tm != 8) || (tn != 4 && tn != 8) || bm % tm != 0 || bn % tn != 0 || bk % 4 != 0) {
            throw new IllegalArgumentException("GEMM tile " + name(bm, bn, bk, tm, tn)
                    + ": TM and TN must be 4 or 8, dividing BM and BN; BK a multiple of 4");
        }
        int threads = (bm / tm) * (bn / tn);
        // every work-item fetches whole float4s of both operands' tiles, in both layouts
        if ((bm * bk / 4) % threads != 0 || (bn * bk / 4) % threads != 0) {
            throw new IllegalArgumentException("GEMM tile " + name(bm, bn, bk, tm, tn) + ": " + threads
                    + " work-items cannot share the float4 loads of a " + bm + "x" + bk + " and a " + bn + "x" + bk + " tile");
        }
    }

    /** Work-items of one work-group. */
    int threads() {
        return (bm / tm) * (bn / tn);
    }

    /** Local memory of one work-group: two stages of both operands' tiles. */
    long localBytes() {
        return 2L * bk * (bm + 4 + bn + 4) * Float.BYTES;
    }

    String defines() {
        return " -D GEMM_BM=" + bm + " -D GEMM_BN=" + bn + " -D GEMM_BK=" + bk + " -D GEMM_TM=" + tm + " -D GEMM_TN=" + tn;
    }

    @Override
    public String toString() {
        return name(bm, bn, bk, tm, tn);
    }

    // The compact constructor checks its parameters before the fields are set, so toString would read zeros there.
    private static String name(int bm, int bn, int bk, int tm, int tn) {
        return bm + "x" + bn + "x" + bk + "x" + tm + "x" + tn;
    }

    /** A configuration from BMxBNxBKxTMxTN or a name (large, medium, small); what a system property holds. */
    static GemmConfig parse(String property, String value) {
        String v = value.strip().toLowerCase(java.util.Locale.ROOT);
        switch (v) {
            case "large": return LARGE;
            case "medium": return MEDIUM;
            case "small": return SMALL;
            default: break;
        }
        String[] p = v.split("x");
        try {
            if (p.length == 5) {
                return new GemmConfig(Integer.parseInt(p[0]), Integer.parseInt(p[1]), Integer.parseInt(p[2]),
                        Integer.parseInt(p[3]), Integer.parseInt(p[4]));
            }
        } catch (NumberFormatException e) {
            // not a tile: said below
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("system property " + property + ": '" + value + "': " + e.getMessage(), e);
        }
        throw new IllegalArgumentException("system property " + property + ": '" + value
                + "' is not a GEMM tile BMxBNxBKxTMxTN (such as 128x128x8x8x8) or one of large, medium, small");
    }
}
