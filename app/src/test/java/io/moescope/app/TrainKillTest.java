package io.moescope.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.moescope.testing.Conformance;
import io.moescope.train.TrainingLog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * `moescope train` killed with SIGKILL mid-run, then resumed with --resume, ends with the same loss
 * curve, step for step, as a run that was never interrupted.
 */
class TrainKillTest {
    private static final String CONFIG = """
            {"model": {"model_type": "mixtral", "vocab_size": 2048, "hidden_size": 32, "intermediate_size": 32,
                       "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2,
                       "num_local_experts": 4, "num_experts_per_tok": 2, "max_position_embeddings": 64,
                       "router_aux_loss_coef": 0.01, "initializer_range": 0.05},
             "training": {"seq_len": 24, "batch_size": 2, "learning_rate": 0.003, "warmup_steps": 3,
                          "log_every": 1, "save_every": 4, "keep_last": 2, "seed": 7}}""";

    private static final int STEPS = 16;

    private static List<String> train(Path dir, Path out, boolean resume) {
        List<String> args = new ArrayList<>(List.of("train", "--config", dir.resolve("config.json").toString(),
                "--data", dir.resolve("text.txt").toString(), "--tokenizer", Conformance.dir().resolve("tokenizer-kjv").toString(),
                "--steps", Integer.toString(STEPS), "--out", out.toString(), "--backend", "java", "--threads", "1"));
        if (resume) args.add("--resume");
        return args;
    }

    private static Process start(List<String> args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), "io.moescope.app.Main"));
        cmd.addAll(args);
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    }

    private static List<Double> losses(Path out) throws Exception {
        List<Double> l = new ArrayList<>();
        for (Map<String, Object> row : TrainingLog.read(out.resolve("training_log.jsonl"))) l.add(((Number) row.get("loss")).doubleValue());
        return l;
    }

    @Test
    @Timeout(300)
    void aKilledRunResumesOnTheSameLossCurve(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("config.json"), CONFIG);
        Files.writeString(dir.resolve("text.txt"), "In the beginning God created the heaven and the earth. "
                .repeat(40) + "And the earth was without form, and void. ".repeat(40));
        Path straight = dir.resolve("straight"), killed = dir.resolve("killed");
        assertEquals(0, start(train(dir, straight, false)).waitFor(), "uninterrupted run");

        Process p = start(train(dir, killed, false));
        Path checkpoint = killed.resolve("checkpoint-000008");
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (!Files.isDirectory(checkpoint) && p.isAlive() && System.nanoTime() < deadline) Thread.sleep(20);
        assertTrue(Files.isDirectory(checkpoint), "the run reached its step-8 checkpoint");
        p.destroyForcibly();   // SIGKILL: no shutdown hook, no final checkpoint
        p.waitFor();
        assertTrue(losses(killed).size() < STEPS, "killed before the end");
        try (var files = Files.list(killed)) {
            // whatever the kill interrupted, only complete checkpoints carry the checkpoint name
            files.filter(f -> f.getFileName().toString().startsWith("checkpoint-"))
                    .forEach(f -> assertTrue(Files.exists(f.resolve("trainer_state.json")), f + " is complete"));
        }

        assertEquals(0, start(train(dir, killed, true)).waitFor(), "resumed run");
        List<Double> a = losses(straight), b = losses(killed);
        assertEquals(STEPS, a.size());
        assertEquals(a.size(), b.size(), "one log row per step, none repeated");
        // Equal up to the last bits: the Vector API sums lanes in another order before the JIT compiles a kernel.
        for (int i = 0; i < a.size(); i++) assertEquals(a.get(i), b.get(i), 1e-4, "loss at step " + (i + 1));
    }
}
