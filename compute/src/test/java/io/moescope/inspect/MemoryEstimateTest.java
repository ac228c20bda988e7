package io.moescope.inspect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.moescope.backend.java.JavaBackend;
import io.moescope.checkpoint.DType;
import io.moescope.model.ModelConfig;
import io.moescope.testing.Conformance;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MemoryEstimateTest {
    private static final Path CONFIG = Conformance.model("mixtral-a").resolve("config.json");

    private static ModelConfig mixtral(int vocab) throws IOException {
        ObjectNode j = (ObjectNode) new ObjectMapper().readTree(CONFIG.toFile());
        return ModelConfig.parse(CONFIG, j.put("vocab_size", vocab));
    }

    @Test
    void countsProbesAsTheForwardPassKeepsThem() throws IOException {
        ModelConfig c = mixtral(384);   // 2 layers, 4 heads, width 64, 8 experts top-2
        MemoryEstimate e = MemoryEstimate.of(c, Map.of(DType.F32, 1000L), 10, false);
        long attention = 2L * 4 * 10 * 10, hidden = 3L * 10 * 64, logits = 10L * 384, routers = 2L * 10 * (8 + 4) + 2L * 10 * 128;
        assertEquals(4 * (attention + hidden + logits + routers), e.probes());
        assertTrue(e.activations() > e.probes(), "the working tensors come on top of the probes");
        assertEquals(Math.min(4000, JavaBackend.panelBytesLimit()), e.weightCopies(), "the java backend's packed panels, at most its limit");
        assertEquals(0, e.gradients());
        assertEquals(e.weightCopies() + e.activations() + e.probes(), e.total());
    }

    @Test
    void packedWeightsStopAtThePanelLimitAndGradientsArePerParameter() throws IOException {
        MemoryEstimate e = MemoryEstimate.of(mixtral(384), Map.of(DType.BF16, 1_000_000L, DType.F32, 10L), 4, true);
        assertEquals(Math.min(4_000_040L, JavaBackend.panelBytesLimit()), e.weightCopies());
        MemoryEstimate huge = MemoryEstimate.of(mixtral(384), Map.of(DType.BF16, 7_000_000_000L), 4, false);
        assertEquals(JavaBackend.panelBytesLimit(), huge.weightCopies(), "a 7 B model is not counted as 28 GB of float32 copies");
        assertEquals(2 * 4 * 1_000_010L + e.activations(), e.gradients());
        assertTrue(e.describe().contains("+ gradients"), e.describe());
    }

    @Test
    void hostileSizesSaturateInsteadOfOverflowing() throws IOException {
        MemoryEstimate e = MemoryEstimate.of(mixtral(Integer.MAX_VALUE), Map.of(DType.F16, Long.MAX_VALUE), Integer.MAX_VALUE, true);
        assertEquals(Long.MAX_VALUE, e.total());
        assertTrue(e.largestArray() > MemoryEstimate.MAX_ARRAY);
        assertTrue(e.describe().startsWith("more than 8 EiB"), e.describe());
    }
}
