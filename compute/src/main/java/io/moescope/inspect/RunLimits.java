package io.moescope.inspect;

import io.moescope.files.CheckpointException;
import java.nio.file.Path;

/**
 * The limits a run must stay within: a prompt length, and the memory left in this JVM. Checked
 * before a model is loaded, so that a run that cannot succeed fails at once with the numbers,
 * instead of an OutOfMemoryError after minutes or an array too large for Java.
 *
 * @param maxTokens   the longest prompt accepted
 * @param memoryBytes the memory a run may use
 */
public record RunLimits(int maxTokens, long memoryBytes) {

    /** The workbench (and the command line, as its default) read the prompt limit from here. */
    public static final String MAX_TOKENS_PROPERTY = "moescope.maxTokens";
    public static final int DEFAULT_MAX_TOKENS = 8192;

    public RunLimits {
        if (maxTokens < 1) throw new IllegalArgumentException("the prompt-length limit must be at least 1 token, got " + maxTokens);
    }

    /** The prompt limit of {@value #MAX_TOKENS_PROPERTY} (or the default) and the heap free now. */
    public static RunLimits current() {
        return new RunLimits(maxTokensProperty(), availableHeap());
    }

    /**
     * As {@link #current()}, after asking for a collection: the heap in use then holds what is alive,
     * not the garbage of earlier runs. For a second look before refusing a run that seemed too large.
     */
    public static RunLimits afterCollecting() {
        System.gc();
        return current();
    }

    public RunLimits withMaxTokens(int tokens) {
        return new RunLimits(tokens, memoryBytes);
    }

    /**
     * Runtime.maxMemory minus what is in use, less a margin for what the estimate does not count
     * (class metadata, the tokenizer, JIT). Checkpoint weights are memory-mapped (file-backed, outside
     * this budget); the java backend's packed panels of them are on the heap, within its limit.
     */
    static long availableHeap() {
        Runtime rt = Runtime.getRuntime();
        long used = rt.totalMemory() - rt.freeMemory();
        long margin = (64L << 20) + rt.maxMemory() / 20;
        return Math.max(0, rt.maxMemory() - used - margin);
    }

    private static int maxTokensProperty() {
        String value = System.getProperty(MAX_TOKENS_PROPERTY);
        if (value == null || value.isBlank()) return DEFAULT_MAX_TOKENS;
        try {
            int n = Integer.parseInt(value.strip());
            if (n >= 1) return n;
        } catch (NumberFormatException ignored) {
            // Reported below, with the value.
        }
        throw new IllegalArgumentException("system property " + MAX_TOKENS_PROPERTY + " must be a positive number of tokens, got '"
                + value + "'");
    }

    /** @throws CheckpointException naming the model folder when the prompt is longer than the limit */
    public void checkPrompt(Path modelDir, int tokens) {
        if (tokens > maxTokens) {
            throw new CheckpointException(modelDir, "prompt too long: " + tokens + " tokens, more than the limit of " + maxTokens
                    + " (raise it with --max-tokens, or -D" + MAX_TOKENS_PROPERTY + " for the workbench)");
        }
    }

    /** @throws CheckpointException naming the model folder, with the numbers, when the run would not fit */
    public void checkMemory(Path modelDir, MemoryEstimate need) {
        if (need.largestArray() > MemoryEstimate.MAX_ARRAY) {
            throw new CheckpointException(modelDir, "run too large: one of its tensors would hold " + need.largestArray()
                    + " values, more than a Java array can (" + MemoryEstimate.MAX_ARRAY + "); use fewer tokens");
        }
        if (need.total() > memoryBytes) {
            throw new CheckpointException(modelDir, "run too large for memory: needs about " + need.describe() + " but only "
                    + MemoryEstimate.gib(memoryBytes) + " of Java heap is free (" + advice(need.total(), need.gradients() > 0) + ")");
        }
    }

    /**
     * What can work on this machine: a larger heap only where the machine's memory holds it next to
     * what the JVM and the system need, else fewer tokens (and no gradients).
     */
    static String advice(long need, boolean grads) {
        Runtime rt = Runtime.getRuntime();
        long inUse = rt.totalMemory() - rt.freeMemory();
        long heap = need + inUse + (64L << 20) + rt.maxMemory() / 20;
        long heapGiB = (heap + (1L << 30) - 1) >> 30;
        long physical = physicalMemory();
        String fewer = "use fewer tokens" + (grads ? " or leave out the gradients" : "");
        if (physical > 0 && (heapGiB + 2L) << 30 > physical) {
            return "this machine has " + MemoryEstimate.gib(physical) + " of memory, too little for that heap: " + fewer;
        }
        return "give Java more heap with JDK_JAVA_OPTIONS=-Xmx" + heapGiB + "g, or " + fewer;
    }

    /** The machine's memory, or 0 where the JVM cannot tell. */
    private static long physicalMemory() {
        if (java.lang.management.ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getTotalMemorySize();
        }
        return 0;
    }
}
