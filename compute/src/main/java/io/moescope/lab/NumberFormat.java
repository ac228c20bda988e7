package io.moescope.lab;

/** A number format weights or activations can be rounded to, to see what lower precision does. */
public enum NumberFormat {
    FP32("fp32"),
    BF16("bf16"),
    FP16("fp16"),
    /** OCP FP8 E4M3 (the "fn" variant: no infinities, max 448), scaled per output channel */
    FP8_E4M3("fp8-e4m3"),
    /** OCP FP8 E5M2 (max 57344), scaled per output channel */
    FP8_E5M2("fp8-e5m2"),
    /** symmetric int8, one scale per output channel (row): absmax / 127 */
    INT8_CHANNEL("int8"),
    /** symmetric int4, one scale per 32 consecutive values of a row: absmax / 7 */
    INT4_G32("int4-g32"),
    /** symmetric int4, one scale per 128 consecutive values of a row */
    INT4_G128("int4-g128");

    private final String cliName;

    NumberFormat(String cliName) {
        this.cliName = cliName;
    }

    /** The name the command line and reports use. */
    public String cliName() {
        return cliName;
    }

    /** @throws IllegalArgumentException naming the accepted names */
    public static NumberFormat parse(String name) {
        for (NumberFormat f : values()) if (f.cliName.equalsIgnoreCase(name) || f.name().equalsIgnoreCase(name)) return f;
        StringBuilder known = new StringBuilder();
        for (NumberFormat f : values()) known.append(known.isEmpty() ? "" : ", ").append(f.cliName);
        throw new IllegalArgumentException("unknown number format '" + name + "'; use one of " + known);
    }
}
