package io.moescope.model;

import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/** The MoE model families we run, keyed by config.json's {@code model_type}. */
public enum Architecture {
    MIXTRAL("mixtral"),
    QWEN2_MOE("qwen2_moe"),
    QWEN3_MOE("qwen3_moe"),
    OLMOE("olmoe"),
    DEEPSEEK_V2("deepseek_v2"),
    DEEPSEEK_V3("deepseek_v3"),
    GRANITEMOE("granitemoe"),
    GRANITEMOE_SHARED("granitemoeshared"),
    GLM4_MOE("glm4_moe");

    private final String modelType;

    Architecture(String modelType) {
        this.modelType = modelType;
    }

    public String modelType() {
        return modelType;
    }

    public boolean usesMla() {
        return this == DEEPSEEK_V2 || this == DEEPSEEK_V3;
    }

    /** IBM Granite MoE: scaling multipliers, experts stored fused under block_sparse_moe.input_linear/output_linear. */
    public boolean isGranite() {
        return this == GRANITEMOE || this == GRANITEMOE_SHARED;
    }

    public static Optional<Architecture> fromModelType(String modelType) {
        return Arrays.stream(values()).filter(a -> a.modelType.equals(modelType)).findFirst();
    }

    public static String supportedList() {
        return Arrays.stream(values()).map(Architecture::modelType).collect(Collectors.joining(", "));
    }
}
