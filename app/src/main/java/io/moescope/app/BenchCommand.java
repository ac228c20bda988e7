package io.moescope.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.moescope.backend.Backend;
import io.moescope.backend.DeviceMemoryUse;
import io.moescope.checkpoint.Checkpoint;
import io.moescope.files.CheckpointException;
import io.moescope.files.InputFiles;
import io.moescope.grad.Backprop;
import io.moescope.inspect.ConfigMemory;
import io.moescope.grad.Gradients;
import io.moescope.model.ModelConfig;
import io.moescope.model.ModelLoader;
import io.moescope.model.MoeModel;
import io.moescope.model.RandomModel;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "bench",
        description = {"Time passes of a model built from an HF config with random weights.",
                "The weights are seeded; nothing is read but the config and nothing is written.",
                "Prints tokens/s, ms per pass (median of the timed runs after warm-up, min, max)",
                "and peak memory."},
        footer = {"", "Example:",
                "  moescope bench --config sample-models/configs/mixtral-bench.json --seq 512 --mode fwd --backend java --threads 2 --json"})
final class BenchCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Mixin ComputeOptions compute;

    enum Mode { fwd, fwdbwd }

    @Option(names = "--config", paramLabel = "CONFIG.json", description = "HF config.json (or a folder holding one): random weights in memory.")
    Path config;

    @Option(names = "--model", paramLabel = "DIR|REPO",
            description = "Instead of --config: a checkpoint, its weights used as stored (memory-mapped; e.g. bf16 against f32).")
    Path model;

    @Option(names = "--seq", required = true, paramLabel = "T", description = "Tokens in the sequence (batch 1).")
    int seq;

    @Option(names = "--mode", defaultValue = "fwd", paramLabel = "MODE",
            description = "fwd: forward pass to the LM loss; fwdbwd: forward and backward of the LM loss (default: ${DEFAULT-VALUE}).")
    Mode mode;

    @Option(names = "--warmup", defaultValue = "2", paramLabel = "W",
            description = "Untimed passes first: at least W, then more until the JIT compilers were idle for 3 passes in a row, "
                    + "at most --max-warmup in all (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--max-warmup", defaultValue = "60", paramLabel = "M",
            description = "Most untimed passes in all; equal to --warmup for exactly that many (default: ${DEFAULT-VALUE}).")
    int maxWarmup;

    @Option(names = "--runs", defaultValue = "5", paramLabel = "R", description = "Timed passes (default: ${DEFAULT-VALUE}).")
    int runs;

    @Option(names = "--seed", defaultValue = "0", paramLabel = "S", description = "Seed of the weights and token ids (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--json", description = "Print one JSON object instead of text.")
    boolean json;

    /** What one benchmark measured; times in milliseconds. */
    record Result(String config, String backend, String device, Integer threads, int seq, Mode mode, WarmUp warmup,
                  double[] runMs, long peakHeapBytes, Long peakDeviceBytes, Double pageFaultsPerPass) {
        double median() {
            double[] s = runMs.clone();
            Arrays.sort(s);
            int n = s.length;
            return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
        }

        double min() {
            return Arrays.stream(runMs).min().orElseThrow();
        }

        double max() {
            return Arrays.stream(runMs).max().orElseThrow();
        }

        double tokensPerSecond() {
            return seq / (median() / 1000);
        }
    }

    @Override
    public Integer call() throws IOException {
        if (seq < 1) throw new IllegalArgumentException("--seq must be at least 1, got " + seq);
        if (runs < 1) throw new IllegalArgumentException("--runs must be at least 1, got " + runs);
        if (maxWarmup > 100_000) throw new IllegalArgumentException("--max-warmup must be at most 100000, got " + maxWarmup);
        if (runs > 100_000) throw new IllegalArgumentException("--runs must be at most 100000, got " + runs);
        if (warmup < 0) throw new IllegalArgumentException("--warmup must not be negative, got " + warmup);
        if (maxWarmup < warmup) throw new IllegalArgumentException("--max-warmup must be at least --warmup (" + warmup + "), got " + maxWarmup);
        compute.validate();
        if ((config == null) == (model == null)) throw new IllegalArgumentException("give either --config or --model");
        if (model != null) return benchCheckpoint(ModelFolder.require(model));
        Path file = Files.isDirectory(config) ? config.resolve("config.json") : config;
        JsonNode node = readJson(file);
        ModelConfig cfg = ModelConfig.parse(file, node);
        JsonNode init = node.get("initializer_range");
        if (init != null && !init.isNull() && !(init.isNumber() && init.asDouble() > 0 && Double.isFinite(init.asDouble()))) {
            throw new CheckpointException(file, "field \"initializer_range\" must be a positive finite number");
        }
        double std = init != null && init.isNumber() ? init.asDouble() : RandomModel.DEFAULT_STD;

        resetPeakHeap();
        Result r;
        try (Backend b = compute.open()) {
            // Refused with the numbers before any weight is made, as inspect refuses a run too large.
            compute.checkMemory(b, file, ConfigMemory.pass(cfg, seq, mode == Mode.fwdbwd));
            r = run(b, RandomModel.create(cfg, b, seed, std), name(file));
        }
        print(r);
        return 0;
    }

    private void print(Result r) throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        out.println(json ? toJson(r) : toText(r));
        out.flush();
        compute.printProfile(spec.commandLine().getErr());
    }

    /** The same timing on a checkpoint's model, its weights as stored and memory-mapped. */
    private Integer benchCheckpoint(Path dir) throws IOException {
        Result r;
        try (Checkpoint ckpt = Checkpoint.open(dir)) {
            resetPeakHeap();
            try (Backend b = compute.open()) {
                r = run(b, ModelLoader.load(ckpt, b), dir.getFileName().toString());
            }
        }
        print(r);
        return 0;
    }

    private Result run(Backend b, MoeModel model, String configName) {
        ModelConfig cfg = model.config();
        SplittableRandom rnd = new SplittableRandom(seed);
        int[] ids = new int[seq];
        for (int i = 0; i < seq; i++) ids[i] = rnd.nextInt(cfg.vocabSize());
        Runnable pass = pass(model, ids);

        WarmUp warmed = warmUp(pass);
        // The profile, if asked for, shows the timed passes only: not the model's upload, not warm-up.
        if (compute.profiler() != null) compute.profiler().reset();
        double[] ms = new double[runs];
        OptionalLong faults0 = PageFaults.minor();
        for (int i = 0; i < runs; i++) {
            long t0 = System.nanoTime();
            pass.run();
            b.synchronize();
            ms[i] = (System.nanoTime() - t0) / 1e6;
        }
        // The most device memory held at once since the backend opened: weights, warm-up and timed passes.
        Long deviceBytes = b.deviceMemory().map(DeviceMemoryUse::peakBytes).orElse(null);
        OptionalLong faults1 = PageFaults.minor();
        Double faultsPerPass = faults0.isPresent() && faults1.isPresent() ? (faults1.getAsLong() - faults0.getAsLong()) / (double) runs : null;
        Integer threads = b.name().equals("java") ? Integer.valueOf(b.device().computeUnits()) : null;
        return new Result(configName, b.name(), b.device().name(), threads, seq, mode, warmed, ms, peakHeap(), deviceBytes, faultsPerPass);
    }

    /** The untimed passes: how many ran, and whether the JIT compilers were quiet at the end. */
    record WarmUp(int passes, boolean settled) {}

    /** Passes in a row without JIT compilation that count as settled. */
    private static final int QUIET_PASSES = 3;

    /**
     * Runs at least --warmup passes, then more until the JIT compilers were idle for
     * {@link #QUIET_PASSES} passes in a row (their total time did not grow), at most --max-warmup.
     * The java backend's kernels reach full speed only once C2 has compiled the methods that hold
     * their vector code (one still running as C1 code boxes every vector), and how long that takes
     * depends on the machine's free cores: with a fixed 3 passes, the 2-core build machine timed
     * passes that were still warming up (median of passes 4-33 129 ms, of passes 34-63 110 ms).
     */
    private WarmUp warmUp(Runnable pass) {
        int n = 0;
        for (; n < warmup; n++) pass.run();
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        if (jit == null || !jit.isCompilationTimeMonitoringSupported()) return new WarmUp(n, false);
        int quiet = 0;
        for (; quiet < QUIET_PASSES && n < maxWarmup; n++) {
            long before = jit.getTotalCompilationTime();
            pass.run();
            quiet = jit.getTotalCompilationTime() == before ? quiet + 1 : 0;
        }
        return new WarmUp(n, quiet >= QUIET_PASSES);
    }

    /** One timed unit of work; both end by bringing a result to the host, so queued GPU work is done. */
    private Runnable pass(MoeModel model, int[] ids) {
        return switch (mode) {
            // the loss alone comes back, as a training or evaluation step would need: not the [T, V] logits
            case fwd -> () -> model.loss(ids);
            case fwdbwd -> {
                Gradients grads = Gradients.zeros(model);
                // Gradients add up over passes; that costs the same as starting from zero, so no reset is timed.
                yield () -> Backprop.run(model, ids, grads, Backprop.Options.GRADIENTS_ONLY);
            }
        };
    }

    private static JsonNode readJson(Path file) {
        if (!Files.exists(file)) throw new CheckpointException(file, "config file not found");
        JsonNode node = InputFiles.readJson(file, InputFiles.MAX_JSON_BYTES, new ObjectMapper(), "JSON");
        if (!node.isObject()) throw new CheckpointException(file, "not a JSON object");
        return node;
    }

    /** mixtral-bench for .../mixtral-bench.json; the folder's name for .../NAME/config.json. */
    private static String name(Path file) {
        String n = file.getFileName().toString();
        if (n.equals("config.json") && file.toAbsolutePath().getParent() != null) {
            return file.toAbsolutePath().getParent().getFileName().toString();
        }
        return n.endsWith(".json") ? n.substring(0, n.length() - 5) : n;
    }

    // ---- peak memory -------------------------------------------------------------------------
    // The sum of each heap pool's peak is an upper bound of the heap's peak (pools peak at
    // different moments); it includes the model's weights on the java backend.

    private static void resetPeakHeap() {
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            if (p.getType() == MemoryType.HEAP && p.isValid()) p.resetPeakUsage();
        }
    }

    private static long peakHeap() {
        long sum = 0;
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            if (p.getType() == MemoryType.HEAP && p.isValid() && p.getPeakUsage() != null) sum += p.getPeakUsage().getUsed();
        }
        return sum;
    }

    // ---- output ------------------------------------------------------------------------------

    private static String toJson(Result r) throws IOException {
        ObjectMapper m = new ObjectMapper();
        ObjectNode o = m.createObjectNode();
        o.put("config", r.config());
        o.put("backend", r.backend());
        o.put("device", r.device());
        if (r.threads() == null) o.putNull("threads");
        else o.put("threads", r.threads());
        o.put("seq", r.seq());
        o.put("mode", r.mode().name());
        o.put("median_ms", round(r.median()));
        o.put("min_ms", round(r.min()));
        o.put("max_ms", round(r.max()));
        o.put("tokens_per_s", round(r.tokensPerSecond()));
        o.put("peak_heap_bytes", r.peakHeapBytes());
        if (r.peakDeviceBytes() == null) o.putNull("peak_device_bytes");
        else o.put("peak_device_bytes", r.peakDeviceBytes());
        if (r.pageFaultsPerPass() == null) o.putNull("page_faults_per_pass");
        else o.put("page_faults_per_pass", round(r.pageFaultsPerPass()));
        o.put("runs", r.runMs().length);
        o.put("warmup", r.warmup().passes());
        o.put("jit_settled", r.warmup().settled());
        var each = o.putArray("run_ms");
        for (double v : r.runMs()) each.add(round(v));
        return m.writeValueAsString(o);
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }

    private static String toText(Result r) {
        return String.format(Locale.ROOT,
                "%s, %s, sequence %d, %s on %s%s%n"
                        + "%.1f ms per pass (median of %d after %d warm-up%s; min %.1f, max %.1f), %.0f tokens/s%n"
                        + "peak heap %.2f GiB%s%s",
                r.config(), r.mode() == Mode.fwd ? "forward" : "forward + backward", r.seq(), r.backend(), r.device(),
                r.threads() == null ? "" : " (" + r.threads() + " threads)",
                r.median(), r.runMs().length, r.warmup().passes(), r.warmup().settled() ? "" : ", JIT not settled",
                r.min(), r.max(), r.tokensPerSecond(),
                r.peakHeapBytes() / (double) (1L << 30),
                r.peakDeviceBytes() == null ? "" : String.format(Locale.ROOT, ", device memory %.2f GiB", r.peakDeviceBytes() / (double) (1L << 30)),
                r.pageFaultsPerPass() == null ? "" : String.format(Locale.ROOT, ", %.0f page faults a pass", r.pageFaultsPerPass()));
    }
}
