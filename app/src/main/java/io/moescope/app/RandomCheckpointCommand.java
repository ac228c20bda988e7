package io.moescope.app;

import io.moescope.randomcheckpoint.RandomCheckpoint;
import io.moescope.randomcheckpoint.StoredFormat;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "random-checkpoint",
        description = {"Write a checkpoint of a config with seeded random weights, sharded as published checkpoints are:",
                "a real model's shape to try before downloading it. Writes as it generates, in bounded memory."})
final class RandomCheckpointCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--config", required = true, paramLabel = "FILE", description = "config.json of the model (or its folder).")
    Path config;

    @Option(names = "--dtype", defaultValue = "bf16", paramLabel = "DTYPE",
            description = "How weights are stored: bf16, f16, f32 or fp8 (F8_E4M3 with 128x128 block scales, as DeepSeek-V3). Default: ${DEFAULT-VALUE}.")
    String dtype;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "New (or empty) folder to write.")
    Path out;

    @Option(names = "--seed", defaultValue = "0", description = "Random seed. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--shard-size", defaultValue = "5GB", paramLabel = "SIZE",
            description = "Largest shard, e.g. 5GB or 500MB (decimal units, as transformers' max_shard_size). Default: ${DEFAULT-VALUE}.")
    String shardSize;

    @Override
    public Integer call() {
        StoredFormat format = StoredFormat.parse(dtype);
        long shardBytes = bytes(shardSize);
        Path file = Files.isDirectory(config) ? config.resolve("config.json") : config;
        PrintWriter err = spec.commandLine().getErr();
        RandomCheckpoint.Written w = RandomCheckpoint.write(ModelFolder.requireFile(file), format, out, seed, shardBytes, name -> {
            err.println("writing " + name);
            err.flush();
        });
        spec.commandLine().getOut().printf(Locale.ROOT, "%s: %d parameters as %s, %.2f GB in %d file%s%n", w.dir(), w.parameters(),
                format.option(), w.bytes() / 1e9, w.shards(), w.shards() == 1 ? "" : "s");
        return 0;
    }

    /** "5GB", "500MB", "20000": decimal units, as transformers reads max_shard_size. */
    static long bytes(String s) {
        String t = s.strip().toUpperCase(Locale.ROOT);
        long unit = 1;
        for (String[] u : new String[][]{{"GB", "1000000000"}, {"MB", "1000000"}, {"KB", "1000"}, {"B", "1"}}) {
            if (t.endsWith(u[0])) {
                unit = Long.parseLong(u[1]);
                t = t.substring(0, t.length() - u[0].length()).strip();
                break;
            }
        }
        try {
            long n = Long.parseLong(t);
            if (n >= 1) return Math.multiplyExact(n, unit);
        } catch (NumberFormatException | ArithmeticException ignored) {
            // Reported below with the value as given.
        }
        throw new IllegalArgumentException("--shard-size must be a positive size such as 5GB or 500MB, got '" + s + "'");
    }
}
