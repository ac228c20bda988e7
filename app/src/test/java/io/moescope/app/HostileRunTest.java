package io.moescope.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.moescope.train.RunLock;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 17: what a hostile or careless user did to the commands (not to the model files: those are
 * in {@link MalformedCorpusTest}). Every case is a clean refusal: exit 2, one line starting
 * "moescope: ", no exception class name, and nothing overwritten or left behind.
 */
class HostileRunTest {
    @TempDir Path dir;

    private static final String TRAIN_CONFIG = """
            {"model": {"model_type": "mixtral", "vocab_size": 2048, "hidden_size": 16, "intermediate_size": 16,
                       "num_hidden_layers": 1, "num_attention_heads": 2, "num_key_value_heads": 1,
                       "num_local_experts": 2, "num_experts_per_tok": 1, "max_position_embeddings": 64},
             "training": {"seq_len": 8, "batch_size": 1, "log_every": 1, "save_every": 2, "keep_last": 3, "seed": 7}}""";

    static void refused(Cli r, String phrase) {
        assertEquals(2, r.exitCode(), r.toString());
        assertEquals(1, r.errLines().length, "one line: " + r);
        assertTrue(r.err().startsWith("moescope: "), r.toString());
        assertTrue(r.err().contains(phrase), "says '" + phrase + "': " + r);
        assertFalse(r.err().contains("Exception"), "no exception class name: " + r);
    }

    private Path model() {
        return CorpusModels.mixtral(dir.resolve("model"));
    }

    // ---- 2, 10: an output never replaces an input, the model folder's files, or a device -------------

    @Test
    void inspectRefusesToWriteIntoTheModelFolder() throws IOException {
        Path m = model();
        byte[] before = Files.readAllBytes(m.resolve("model.safetensors"));
        refused(Cli.run("inspect", "--model", m.toString(), "--ids", "1,2", "--out", m.resolve("model.safetensors").toString()),
                "refusing to write into the model folder");
        assertTrue(java.util.Arrays.equals(before, Files.readAllBytes(m.resolve("model.safetensors"))));
    }

    @Test
    void anOutputLinkedToAnInputIsRefused() throws IOException {
        Path m = model();
        Path link = Files.createSymbolicLink(dir.resolve("run.safetensors"), m.resolve("config.json").toAbsolutePath());
        refused(Cli.run("report", "--model", m.toString(), "--text", "1 2 3", "--out", link.toString()), "refusing to write");
        refused(Cli.run("report", "--model", m.toString(), "--text", "1 2 3", "--out", m.resolve("config.json").toString()), "refusing to write");
    }

    @Test
    void sweepRefusesToWriteOverItsText() throws IOException {
        Path m = model();
        Path text = Files.writeString(dir.resolve("corpus.txt"), "1 2 3 4 5 6 7 8 9 10");
        refused(Cli.run("sweep", "--model", m.toString(), "--text", text.toString(), "--what", "topk", "--out", text.toString()),
                "which this run reads");
        assertEquals("1 2 3 4 5 6 7 8 9 10", Files.readString(text));
    }

    @Test
    void anOutputOnAFifoIsRefused() throws IOException {
        Path fifo = dir.resolve("out.safetensors");
        MalformedCorpusTest.mkfifo(fifo);
        refused(Cli.run("inspect", "--model", model().toString(), "--ids", "1,2", "--out", fifo.toString()), "not a regular file");
        assertFalse(Files.isRegularFile(fifo));
    }

    @Test
    void infoRefusesWeightsThatAreNotTheConfigs() {
        Path m = model();
        CorpusModels.shard(m.resolve("model.safetensors"), "logits");
        refused(Cli.run("info", "--model", m.toString()), "the weights do not match config.json");
    }

    // ---- 11: temporary files of a killed run are removed by the next write ----------------------

    @Test
    void staleTemporaryFilesOfADeadRunAreRemoved() throws IOException {
        Path out = Files.createDirectories(dir.resolve("out"));
        long dead = deadPid();
        Path stale = Files.writeString(out.resolve(".run.safetensors.moescope-" + dead + "-123.tmp"), "partial");
        Path mine = Files.writeString(out.resolve(".run.safetensors.moescope-" + ProcessHandle.current().pid() + "-5.tmp"), "live");
        Path other = Files.writeString(out.resolve(".someone-else.tmp"), "not ours");
        Cli r = Cli.run("inspect", "--model", model().toString(), "--ids", "1,2", "--out", out.resolve("run.safetensors").toString());
        assertEquals(0, r.exitCode(), r.toString());
        assertFalse(Files.exists(stale), "a dead run's temporary file is removed");
        assertTrue(Files.exists(mine) && Files.exists(other), "a live process's and a stranger's files are left alone");
    }

    private static long deadPid() {
        long pid = 4_000_000;
        while (ProcessHandle.of(pid).isPresent()) pid++;
        return pid;
    }

    // ---- 12, 14: arguments checked before the work, in sentences; output that cannot be written -----

    @Test
    void compareRefusesBadRoutingBeforeTheBaseline() {
        Path m = model();
        Path out = dir.resolve("c.html");
        for (String[] args : List.of(new String[] {"--k", "999"}, new String[] {"--disable", "999"}, new String[] {"--disable", "0,1,2,3,4,5,6,7"})) {
            List<String> all = new ArrayList<>(List.of("compare", "--model", m.toString(), "--text", "1 2 3", "--out", out.toString()));
            all.addAll(List.of(args));
            Cli r = Cli.run(all.toArray(String[]::new));
            assertEquals(2, r.exitCode(), r.toString());
            assertFalse(r.err().contains("baseline"), "refused before the baseline ran: " + r);
            assertTrue(r.err().lines().filter(l -> !l.isBlank()).allMatch(l -> l.startsWith("moescope: ")), "message on a line of its own: " + r);
            assertFalse(Files.exists(out));
        }
    }

    @Test
    void absurdThreadCountIsASentence() {
        refused(Cli.run("inspect", "--model", model().toString(), "--ids", "1,2", "--out", dir.resolve("x").toString(), "--threads", "1000000"),
                "--threads must be between 1 and");
    }

    @Test
    void unwritableStandardOutputIsAnError() {
        StringWriter err = new StringWriter();
        OutputStream full = new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                throw new IOException("No space left on device");
            }
        };
        int code = Main.commandLine(new PrintWriter(full), new PrintWriter(err, true)).execute("info", "--model", model().toString());
        assertEquals(2, code, err.toString());
        assertTrue(err.toString().startsWith("moescope: cannot write to standard output"), err.toString());
    }

    @Test
    void reportIntoAReadOnlyFolderIsExitTwoInOneLine() throws IOException {
        Path ro = Files.createDirectories(dir.resolve("ro"));
        ro.toFile().setWritable(false);
        try {
            if (Files.isWritable(ro)) return;   // root writes anyway
            refused(Cli.run("report", "--model", model().toString(), "--text", "1 2 3", "--out", ro.resolve("r.html").toString()), "cannot write");
        } finally {
            ro.toFile().setWritable(true);
        }
    }

    // ---- 8: bench and train estimate their memory first ---------------------------------------------

    @Test
    void benchRefusesARunBeyondJavasArrays() {
        refused(Cli.run("bench", "--config", CorpusModels.MIXTRAL.resolve("config.json").toString(), "--seq", "2147483647",
                "--backend", "java", "--threads", "1"), "more than a Java array can");
    }

    @Test
    void benchRefusesAHugeConfigWithTheNumbers() throws IOException {
        Path cfg = dir.resolve("huge.json");
        Files.writeString(cfg, Files.readString(CorpusModels.MIXTRAL.resolve("config.json"))
                .replaceFirst("\"hidden_size\": *\\d+", "\"hidden_size\": 2000000000")
                .replaceFirst("\"intermediate_size\": *\\d+", "\"intermediate_size\": 2000000000"));
        Cli r = Cli.run("bench", "--config", cfg.toString(), "--seq", "4", "--backend", "java", "--threads", "1");
        assertEquals(2, r.exitCode(), r.toString());
        assertTrue(r.err().contains("needs about") || r.err().contains("more than a Java array can"), r.toString());
    }

    // ---- 3, 4, 12, 13: train's run folder ---------------------------------------------------------------

    private List<String> train(Path out, int steps, boolean resume) throws IOException {
        Path cfg = dir.resolve("train.json");
        if (!Files.exists(cfg)) Files.writeString(cfg, TRAIN_CONFIG);
        Path text = dir.resolve("text.txt");
        if (!Files.exists(text)) Files.writeString(text, "In the beginning God created the heaven and the earth. ".repeat(20));
        List<String> a = new ArrayList<>(List.of("train", "--config", cfg.toString(), "--data", text.toString(), "--tokenizer",
                CorpusModels.KJV_TOKENIZER.toString(), "--steps", Integer.toString(steps), "--out", out.toString(), "--backend", "java",
                "--threads", "1"));
        if (resume) a.add("--resume");
        return a;
    }

    @Test
    void trainRefusesANonEmptyRunFolderWithoutResume() throws IOException {
        Path out = dir.resolve("run");
        assertEquals(0, Cli.run(train(out, 4, false).toArray(String[]::new)).exitCode());
        String log = Files.readString(out.resolve("training_log.jsonl"));
        refused(Cli.run(train(out, 2, false).toArray(String[]::new)), "--resume");
        assertEquals(log, Files.readString(out.resolve("training_log.jsonl")), "the old run is untouched");
    }

    @Test
    void aSecondTrainOnTheSameFolderSaysWhoHoldsIt() throws IOException {
        Path out = Files.createDirectories(dir.resolve("run"));
        try (RunLock held = RunLock.acquire(out)) {
            refused(Cli.run(train(out, 2, false).toArray(String[]::new)), "another train process is using this run folder (process "
                    + ProcessHandle.current().pid());
        }
    }

    @Test
    void resumeFallsBackToTheNewestCheckpointThatLoads() throws IOException {
        Path out = dir.resolve("run");
        assertEquals(0, Cli.run(train(out, 4, false).toArray(String[]::new)).exitCode());
        Path newest = out.resolve("checkpoint-000004");
        CorpusModels.truncate(newest.resolve("model.safetensors"), 100);
        Cli r = Cli.run(train(out, 6, true).toArray(String[]::new));
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(Files.isDirectory(out.resolve("checkpoint-000006")));
        // the skip is told on the process's stderr by the trainer; the log continues from step 2
        assertEquals(List.of(1, 2, 3, 4, 5, 6), steps(out));
    }

    @Test
    void aTruncatedTrainerStateIsExitTwoNamingIt() throws IOException {
        Path out = dir.resolve("run");
        assertEquals(0, Cli.run(train(out, 2, false).toArray(String[]::new)).exitCode());
        Path state = out.resolve("checkpoint-000002").resolve("trainer_state.json");
        CorpusModels.truncate(state, 5);
        Cli r = Cli.run(train(out, 4, true).toArray(String[]::new));
        refused(r, state.toString());
    }

    private static List<Integer> steps(Path out) throws IOException {
        List<Integer> steps = new ArrayList<>();
        for (var row : io.moescope.train.TrainingLog.read(out.resolve("training_log.jsonl"))) steps.add(((Number) row.get("step")).intValue());
        return steps;
    }
}
