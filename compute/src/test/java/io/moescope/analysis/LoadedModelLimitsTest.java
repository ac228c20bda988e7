package io.moescope.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.moescope.files.CheckpointException;
import io.moescope.inspect.MemoryEstimate;
import io.moescope.inspect.RunLimits;
import io.moescope.testing.Conformance;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The workbench and the report command analyse through LoadedModel, which applies the run limits first. */
class LoadedModelLimitsTest {
    private static final Path DIR = Conformance.model("mixtral-a");
    private static LoadedModel model;

    @BeforeAll
    static void open() {
        model = LoadedModel.open(DIR, "java");
    }

    @AfterAll
    static void close() {
        model.close();
    }

    private static Prompt prompt(int tokens) {
        int[] ids = new int[tokens];
        Arrays.setAll(ids, i -> 1 + i % 50);
        return new Prompt("", ids, Arrays.stream(ids).mapToObj(Integer::toString).toList(), null);
    }

    @Test
    void aPromptOverTheLimitIsRefusedWithItsLength() {
        CheckpointException e = assertThrows(CheckpointException.class, () -> model.analyse(prompt(12), new RunLimits(10, Long.MAX_VALUE)));
        assertTrue(e.getMessage().contains(DIR.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("prompt too long: 12 tokens, more than the limit of 10"), e.getMessage());
        assertEquals(10, model.analyse(prompt(10), new RunLimits(10, Long.MAX_VALUE)).tokenCount());
    }

    @Test
    void aRunThatWouldNotFitIsRefusedWithTheNumbers() {
        // What the run adds to loaded weights: their panels are counted once, when the model is loaded.
        MemoryEstimate need = MemoryEstimate.of(model.config(), model.checkpoint().dtypeCounts(), 64, false).withoutWeightCopies();
        long tooLittle = need.total() - 1;
        CheckpointException e = assertThrows(CheckpointException.class, () -> model.analyse(prompt(64), new RunLimits(8192, tooLittle)));
        assertTrue(e.getMessage().contains("run too large for memory: needs about " + need.describe()), e.getMessage());
        assertTrue(e.getMessage().contains("MiB of Java heap is free"), e.getMessage());
        assertEquals(64, model.analyse(prompt(64), new RunLimits(8192, need.total())).tokenCount());
    }

    @Test
    void gradientsAreCountedWhenAsked() {
        MemoryEstimate plain = MemoryEstimate.of(model.config(), model.checkpoint().dtypeCounts(), 32, false);
        MemoryEstimate grads = MemoryEstimate.of(model.config(), model.checkpoint().dtypeCounts(), 32, true);
        assertTrue(grads.total() > plain.total());
        RunLimits between = new RunLimits(8192, plain.total());
        model.checkLimits(32, between, false);
        CheckpointException e = assertThrows(CheckpointException.class, () -> model.checkLimits(32, between, true));
        assertTrue(e.getMessage().contains("+ gradients "), e.getMessage());
    }

    @Test
    void theDefaultLimitsComeFromTheSystemProperty() {
        String before = System.getProperty(RunLimits.MAX_TOKENS_PROPERTY);
        try {
            System.setProperty(RunLimits.MAX_TOKENS_PROPERTY, "7");
            CheckpointException e = assertThrows(CheckpointException.class, () -> model.analyse(prompt(8)));
            assertTrue(e.getMessage().contains("prompt too long: 8 tokens, more than the limit of 7"), e.getMessage());
            assertEquals(List.of("1", "2", "3", "4", "5", "6", "7"), model.analyse(prompt(7)).tokens());
        } finally {
            if (before == null) System.clearProperty(RunLimits.MAX_TOKENS_PROPERTY);
            else System.setProperty(RunLimits.MAX_TOKENS_PROPERTY, before);
        }
    }
}
