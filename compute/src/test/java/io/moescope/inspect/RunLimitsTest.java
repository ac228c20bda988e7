package io.moescope.inspect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.moescope.files.CheckpointException;
import io.moescope.testing.Conformance;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.ResourceLock;
import org.junit.jupiter.api.parallel.Resources;

class RunLimitsTest {
    private static final Path MIXTRAL = Conformance.model("mixtral-a");

    private static CheckpointException refusal(RunLimits limits, int[] ids) {
        var e = assertThrows(CheckpointException.class, () -> InspectService.inspect(MIXTRAL, ids, false, w -> { }, limits));
        assertEquals(MIXTRAL, e.file());
        assertTrue(!e.getMessage().contains("\n"), e.getMessage());
        return e;
    }

    @Test
    void promptLongerThanTheLimitIsRefusedBeforeLoading() {
        var e = refusal(new RunLimits(4, Long.MAX_VALUE), new int[] {1, 2, 3, 4, 5});
        assertTrue(e.getMessage().contains("prompt too long: 5 tokens, more than the limit of 4 (raise it with --max-tokens"),
                e.getMessage());
    }

    @Test
    void runThatDoesNotFitIsRefusedWithTheNumbers() {
        var e = refusal(new RunLimits(8192, 1000), new int[] {1, 2, 3});
        assertTrue(e.getMessage().matches(".*run too large for memory: needs about [0-9.]+ MiB \\(packed weights [0-9.]+ MiB"
                + " \\+ activations [0-9.]+ MiB \\+ probes [0-9.]+ MiB\\) but only 0\\.0 MiB of Java heap is free.*"), e.getMessage());
    }

    /** Advice that can work here: never a heap larger than the machine's memory. */
    @Test
    void theAdviceFitsThisMachine() {
        long physical = ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getTotalMemorySize();
        String tooBig = RunLimits.advice(physical + (1L << 30), false);
        assertTrue(tooBig.contains("too little for that heap: use fewer tokens"), tooBig);
        assertTrue(!tooBig.contains("-Xmx"), tooBig);
        assertTrue(RunLimits.advice(physical * 2, true).endsWith("use fewer tokens or leave out the gradients"));
        String small = RunLimits.advice(1L << 20, false);
        assertTrue(small.matches("give Java more heap with JDK_JAVA_OPTIONS=-Xmx[0-9]+g, or use fewer tokens"), small);
        long asked = Long.parseLong(small.replaceAll(".*-Xmx([0-9]+)g.*", "$1"));
        assertTrue((asked + 2) << 30 <= physical, small);
    }

    @Test
    void aRunWithinTheLimitsGoesThrough() {
        List<?> out = InspectService.inspect(MIXTRAL, new int[] {1, 2, 3}, false, w -> { }, new RunLimits(3, 1L << 30));
        assertTrue(!out.isEmpty());
    }

    @Test
    void theDefaultIs8192TokensAndTheHeapLeft() {
        RunLimits now = RunLimits.current();
        assertEquals(RunLimits.DEFAULT_MAX_TOKENS, now.maxTokens());
        assertTrue(now.memoryBytes() > 0 && now.memoryBytes() < Runtime.getRuntime().maxMemory(), "" + now.memoryBytes());
        assertEquals(5, now.withMaxTokens(5).maxTokens());
        assertThrows(IllegalArgumentException.class, () -> now.withMaxTokens(0));
    }

    @Test
    @ResourceLock(Resources.SYSTEM_PROPERTIES)
    void theWorkbenchSetsTheLimitWithASystemProperty() {
        try {
            System.setProperty(RunLimits.MAX_TOKENS_PROPERTY, "16");
            assertEquals(16, RunLimits.current().maxTokens());
            System.setProperty(RunLimits.MAX_TOKENS_PROPERTY, "lots");
            var e = assertThrows(IllegalArgumentException.class, RunLimits::current);
            assertTrue(e.getMessage().contains("moescope.maxTokens must be a positive number of tokens, got 'lots'"), e.getMessage());
        } finally {
            System.clearProperty(RunLimits.MAX_TOKENS_PROPERTY);
        }
    }
}
