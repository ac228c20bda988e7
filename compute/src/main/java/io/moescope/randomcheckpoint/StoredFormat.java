package io.moescope.randomcheckpoint;

import io.moescope.checkpoint.DType;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * How a random checkpoint stores its weights. {@link #FP8} is DeepSeek-V3's layout: projections in
 * F8_E4M3 with a float32 {@code weight_scale_inv} per 128x128 block, everything else (embeddings,
 * head, routers, norms) in BF16 and the routers' correction bias in float32.
 */
public enum StoredFormat {
    BF16(DType.BF16), F16(DType.F16), F32(DType.F32), FP8(DType.BF16);

    /** The dtype of tensors that are not FP8 projections. */
    final DType plain;

    StoredFormat(DType plain) {
        this.plain = plain;
    }

    public String option() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static StoredFormat parse(String s) {
        for (StoredFormat f : values()) if (f.option().equalsIgnoreCase(s.strip())) return f;
        throw new IllegalArgumentException("--dtype must be one of " + list() + ", got '" + s + "'");
    }

    public static String list() {
        return Arrays.stream(values()).map(StoredFormat::option).collect(Collectors.joining(", "));
    }

    DType dtypeOf(CheckpointLayout.Entry e) {
        if (this == FP8 && e.isProjection()) return DType.F8_E4M3;
        if (this == FP8 && e.name().endsWith("e_score_correction_bias")) return DType.F32;
        return plain;
    }
}
