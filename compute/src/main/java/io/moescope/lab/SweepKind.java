package io.moescope.lab;

/** What a sweep varies, with the values it tries when none are given. */
public enum SweepKind {
    /** experts per token k: 1..E */
    TOPK("topk", "experts per token (k)"),
    /** sliding-window size in tokens (stride 1) */
    WINDOW("window", "window (tokens)"),
    /** dynamic top-k sparse attention: keys kept per query */
    SPARSITY("sparsity", "keys kept per query"),
    /** capacity factor with token dropping */
    CAPACITY("capacity", "capacity factor"),
    /** weight precision: index into NumberFormat.values() */
    PRECISION("precision", "weight format");

    private final String cliName;
    private final String axisLabel;

    SweepKind(String cliName, String axisLabel) {
        this.cliName = cliName;
        this.axisLabel = axisLabel;
    }

    public String cliName() {
        return cliName;
    }

    /** The chart's x axis label. */
    public String axisLabel() {
        return axisLabel;
    }

    /** @throws IllegalArgumentException naming the accepted names */
    public static SweepKind parse(String name) {
        for (SweepKind k : values()) if (k.cliName.equalsIgnoreCase(name)) return k;
        throw new IllegalArgumentException("unknown sweep '" + name + "'; use one of topk, window, sparsity, capacity, precision");
    }
}
