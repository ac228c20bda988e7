package io.moescope.app;

import static io.moescope.app.CorpusModels.config;
import static io.moescope.app.CorpusModels.mixtral;
import static io.moescope.app.CorpusModels.raw;
import static io.moescope.app.CorpusModels.tensors;
import static io.moescope.app.CorpusModels.withValue;
import static io.moescope.app.CorpusModels.write;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.moescope.checkpoint.TensorData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command line against a corpus of malformed checkpoints: every bad input of issue 2 and every
 * hostile file of issue 7, run through the real {@code inspect} and {@code info} in-process. Each
 * must be a clean refusal (exit 2, one line on stderr starting "moescope: " that names the file or
 * folder, no stack trace, nothing written), or for NaN/Inf weights a success with one warning line
 * naming the tensor. Prints the table, and keeps it in docs/malformed-corpus.md.
 */
class MalformedCorpusTest {

    /** Faults found only by running (token ids, prompt length, loading weights) are not info's to find. */
    private enum Runs { BOTH, INSPECT_ONLY }

    private enum Expect { REFUSED, WARNED }

    /**
     * @param model  the --model folder
     * @param named  the file or folder the message must name
     * @param phrase what the message must say
     * @param args   inspect's input arguments
     */
    private record Made(Path model, Path named, String phrase, List<String> args) {
        Made(Path model, Path named, String phrase) {
            this(model, named, phrase, List.of("--ids", "5,17,42"));
        }

        Made with(String... inspectArgs) {
            return new Made(model, named, phrase, List.of(inspectArgs));
        }
    }

    private interface Maker {
        Made make(Path caseDir) throws IOException;
    }

    private record Case(String input, Runs runs, Expect expect, Maker maker) {}

    /** One row of the table: a case run through one command. */
    record Row(String input, String command, String outcome, int exit, String message, List<String> problems) {}

    @TempDir Path root;

    private static Case refused(String input, Maker m) {
        return new Case(input, Runs.BOTH, Expect.REFUSED, m);
    }

    /** A model whose model.safetensors holds this header (single-quoted JSON) and this many data bytes. */
    private static Case badSafetensors(String input, String singleQuotedHeader, int dataBytes, String phrase) {
        return refused(input, d -> {
            Path m = mixtral(d.resolve("model"));
            return new Made(m, raw(m.resolve("model.safetensors"), singleQuotedHeader, new byte[dataBytes]), phrase);
        });
    }

    private static Case refusedByInspect(String input, Maker m) {
        return new Case(input, Runs.INSPECT_ONLY, Expect.REFUSED, m);
    }

    private static final String TENSOR = "{'a':{'dtype':'F32','shape':[1],'data_offsets':[0,4]}}";

    static List<Case> corpus() {
        List<Case> c = new ArrayList<>();
        // issue 2: bad input
        c.add(refused("missing folder", d -> new Made(d.resolve("model"), d.resolve("model"), "does not exist")));
        c.add(refused("--model is a file", d -> {
            Path f = write(d.resolve("model"), "{}");
            return new Made(f, f, "is not a folder");
        }));
        c.add(refused("config.json missing", d -> {
            Path m = mixtral(d.resolve("model"));
            CorpusModels.delete(m.resolve("config.json"));
            return new Made(m, m.resolve("config.json"), "missing");
        }));
        c.add(refused("no weights file", d -> {
            Path m = mixtral(d.resolve("model"));
            CorpusModels.delete(m.resolve("model.safetensors"));
            return new Made(m, m, "no weights");
        }));
        c.add(refused("truncated file (5 bytes)", d -> {
            Path m = mixtral(d.resolve("model"));
            return new Made(m, CorpusModels.truncate(m.resolve("model.safetensors"), 5), "truncated");
        }));
        c.add(refused("truncated in the tensor data", d -> {
            Path m = mixtral(d.resolve("model"));
            Path f = m.resolve("model.safetensors");
            return new Made(m, CorpusModels.truncate(f, Files.size(f) - 100), "out of range");
        }));
        c.add(refused("header length beyond the file", d -> {
            Path m = mixtral(d.resolve("model"));
            return new Made(m, raw(m.resolve("model.safetensors"), 1000, "{}", new byte[10]), "beyond the end of the file");
        }));
        c.add(badSafetensors("invalid header JSON", "{'a': {'dtype': 'F32',", 0, "invalid header JSON"));
        c.add(badSafetensors("offsets out of range", "{'a':{'dtype':'F32','shape':[4],'data_offsets':[0,16]}}", 4, "out of range"));
        c.add(badSafetensors("overlapping offsets", "{'a':{'dtype':'F32','shape':[2],'data_offsets':[0,8]},"
                + "'b':{'dtype':'F32','shape':[2],'data_offsets':[4,12]}}", 12, "overlap"));
        c.add(badSafetensors("offsets not matching shape x dtype", "{'a':{'dtype':'F32','shape':[3],'data_offsets':[0,8]}}", 8, "(12 expected)"));
        c.add(badSafetensors("hole in the data buffer", TENSOR, 8, "hole in the data buffer"));
        c.add(badSafetensors("unknown dtype", "{'a':{'dtype':'F64','shape':[1],'data_offsets':[0,8]}}", 8, "unknown dtype F64"));
        c.add(badSafetensors("negative dimension", "{'a':{'dtype':'F32','shape':[-1],'data_offsets':[0,4]}}", 4, "negative dimension"));
        c.add(refusedByInspect("tensor missing", d -> {
            Path m = mixtral(d.resolve("model"));
            String q = "model.layers.0.self_attn.q_proj.weight";
            tensors(m, ts -> ts.stream().filter(t -> !t.name().equals(q)).toList());
            return new Made(m, m, "tensor " + q + " missing");
        }));
        c.add(refusedByInspect("tensor of the wrong shape for the config", d -> {
            Path m = mixtral(d.resolve("model"));
            config(m, cfg -> cfg.put("intermediate_size", 40));
            return new Made(m, m.resolve("model.safetensors"), "expected [40, 64] for this config");
        }));
        c.add(refused("config.json missing a required field", d -> {
            Path m = mixtral(d.resolve("model"));
            return new Made(m, config(m, cfg -> cfg.remove("hidden_size")), "missing required field \"hidden_size\"");
        }));
        c.add(refused("unsupported model_type", d -> {
            Path m = mixtral(d.resolve("model"));
            return new Made(m, config(m, cfg -> cfg.put("model_type", "llama")),
                    "supported: mixtral, qwen2_moe, qwen3_moe, olmoe, deepseek_v2, deepseek_v3, granitemoe, granitemoeshared, glm4_moe");
        }));
        c.add(refused("config.json not JSON", d -> {
            Path m = mixtral(d.resolve("model"));
            return new Made(m, write(m.resolve("config.json"), "{'model_type': "), "invalid JSON");
        }));
        c.add(refused("config.json with zero attention heads", d -> {
            Path m = mixtral(d.resolve("model"));
            return new Made(m, config(m, cfg -> cfg.put("num_attention_heads", 0)), "num_attention_heads must be at least 1");
        }));
        c.add(refusedByInspect("token id outside the vocabulary", d -> {
            Path m = mixtral(d.resolve("model"));
            return new Made(m, m, "token id 384 at position 1 is outside the vocabulary").with("--ids", "1,384");
        }));
        c.add(refusedByInspect("empty input (--text \"\")", d -> {
            Path m = mixtral(d.resolve("model"));
            CorpusModels.withTokenizer(m);
            return new Made(m, m, "empty input").with("--text", "");
        }));
        c.add(refusedByInspect("tokenizer.json not JSON", d -> {
            Path m = mixtral(d.resolve("model"));
            Path t = write(m.resolve("tokenizer.json"), "{'model': ");
            return new Made(m, t, "not a valid HF tokenizer.json").with("--text", "In the beginning");
        }));
        c.add(refusedByInspect("tokenizer.json that aborted the native tokenizer", d -> {
            // A syntax error inside "decoder" made the Rust tokenizers library panic, killing the JVM.
            Path m = mixtral(d.resolve("model"));
            Path t = write(m.resolve("tokenizer.json"), "{'version': '1.0', 'decoder': {'type': 'ByteLevel', 5: 1},"
                    + " 'model': {'type': 'WordLevel', 'vocab': {'[UNK]': 0}, 'unk_token': '[UNK]'}}");
            return new Made(m, t, "not a valid HF tokenizer.json").with("--text", "In the beginning");
        }));
        c.add(refusedByInspect("tokenizer.json with an id beyond int", d -> {
            Path m = mixtral(d.resolve("model"));
            Path t = write(m.resolve("tokenizer.json"), "{'model': {'type': 'WordLevel', 'vocab': {'[UNK]': 4294967295},"
                    + " 'unk_token': '[UNK]'}}");
            return new Made(m, t, "token id 4294967295 is beyond the largest id we support").with("--text", "In the beginning");
        }));
        c.add(refusedByInspect("tokenizer.json that cannot encode the text", d -> {
            Path m = mixtral(d.resolve("model"));
            Path t = write(m.resolve("tokenizer.json"), "{'model': {'type': 'WordPiece', 'unk_token': '[UNK]',"
                    + " 'continuing_subword_prefix': '##', 'max_input_chars_per_word': 100, 'vocab': {'a': 0}}}");
            return new Made(m, t, "cannot tokenize with this tokenizer.json").with("--text", "In the beginning");
        }));
        c.add(new Case("NaN in a weight", Runs.INSPECT_ONLY, Expect.WARNED, d -> {
            Path m = mixtral(d.resolve("model"));
            tensors(m, ts -> replace(ts, "model.norm.weight", t -> withValue(t, 0, Float.NaN)));
            return new Made(m, m.resolve("model.safetensors"), "tensor model.norm.weight has 1 NaN and 0 Inf values");
        }));
        c.add(new Case("Inf in a weight", Runs.INSPECT_ONLY, Expect.WARNED, d -> {
            Path m = mixtral(d.resolve("model"));
            tensors(m, ts -> replace(ts, "lm_head.weight", t -> withValue(t, 3, Float.POSITIVE_INFINITY)));
            return new Made(m, m.resolve("model.safetensors"), "tensor lm_head.weight has 0 NaN and 1 Inf values");
        }));

        // issue 7: hostile files and limits
        c.add(refused("pickle checkpoint (pytorch_model.bin)", d -> {
            Path m = mixtral(d.resolve("model"));
            CorpusModels.delete(m.resolve("model.safetensors"));
            return new Made(m, write(m.resolve("pytorch_model.bin"), new byte[] {(byte) 0x80, 2}), "convert it to safetensors");
        }));
        c.add(refused("pickle checkpoint (model.ckpt)", d -> {
            Path m = mixtral(d.resolve("model"));
            CorpusModels.delete(m.resolve("model.safetensors"));
            return new Made(m, write(m.resolve("model.ckpt"), new byte[] {(byte) 0x80, 2}), "pickle files can execute arbitrary code");
        }));
        c.add(refused("index naming a pickle shard", d -> {
            Path m = index(d, "pytorch_model-00001-of-00001.bin");
            return new Made(m, m.resolve("pytorch_model-00001-of-00001.bin"), "convert it to safetensors");
        }));
        c.add(refused("index escaping the folder with ..", d -> {
            CorpusModels.shard(d.resolve("outside.safetensors"), "a");
            Path m = index(d, "../outside.safetensors");
            return new Made(m, m.resolve("model.safetensors.index.json"), "contains \"..\"");
        }));
        c.add(refused("index with an absolute path", d -> {
            Path outside = CorpusModels.shard(d.resolve("outside.safetensors"), "a");
            Path m = index(d, outside.toAbsolutePath().toString());
            return new Made(m, m.resolve("model.safetensors.index.json"), "is an absolute path");
        }));
        c.add(refused("index through a symlink leading out", d -> {
            Path outside = CorpusModels.shard(d.resolve("outside.safetensors"), "a");
            Path m = index(d, "link.safetensors");
            Files.createSymbolicLink(m.resolve("link.safetensors"), outside.toAbsolutePath());
            return new Made(m, m.resolve("model.safetensors.index.json"), "outside the model folder");
        }));
        c.add(refused("index naming a missing shard", d -> {
            Path m = index(d, "model-00001-of-00002.safetensors");
            return new Made(m, m.resolve("model-00001-of-00002.safetensors"), "not found");
        }));
        c.add(refused("index listing a tensor its shard lacks", d -> {
            Path m = index(d, "model-00001-of-00001.safetensors");
            CorpusModels.shard(m.resolve("model-00001-of-00001.safetensors"), "other");
            return new Made(m, m.resolve("model-00001-of-00001.safetensors"), "missing from this shard");
        }));
        c.add(refused("index not JSON", d -> {
            Path m = index(d, "x.safetensors");
            return new Made(m, write(m.resolve("model.safetensors.index.json"), "{'weight_map': "), "invalid JSON");
        }));
        c.add(refused("header over 100 MB", d -> {
            Path m = mixtral(d.resolve("model"));
            return new Made(m, raw(m.resolve("model.safetensors"), 200_000_000L, "{}", new byte[0]), "more than the 100 MB limit");
        }));
        long big = 1L << 40;
        c.add(badSafetensors("dimension product overflows", "{'a':{'dtype':'F32','shape':[" + big + "," + big + "],'data_offsets':[0,4]}}",
                4, "size overflows"));
        c.add(badSafetensors("tensor larger than its file", "{'a':{'dtype':'F32','shape':[1000000],'data_offsets':[0,4000000]}}", 4,
                "out of range of the 4-byte data buffer"));
        c.add(refusedByInspect("prompt too long (default limit)", d -> {
            Path m = mixtral(d.resolve("model"));
            String ids = String.join(",", Collections.nCopies(8193, "7"));
            return new Made(m, m, "prompt too long: 8193 tokens, more than the limit of 8192").with("--ids", ids);
        }));
        c.add(refusedByInspect("prompt over --max-tokens", d -> {
            Path m = mixtral(d.resolve("model"));
            return new Made(m, m, "prompt too long: 3 tokens, more than the limit of 2").with("--ids", "5,17,42", "--max-tokens", "2");
        }));
        c.add(refusedByInspect("run too large for memory", d -> {
            Path m = mixtral(d.resolve("model"));
            config(m, cfg -> cfg.put("vocab_size", 700_000_000));
            return new Made(m, m, "run too large for memory: needs about");
        }));
        c.add(refusedByInspect("tensor beyond Java's array limit", d -> {
            Path m = mixtral(d.resolve("model"));
            config(m, cfg -> cfg.put("vocab_size", 1_000_000_000));
            return new Made(m, m, "more than a Java array can");
        }));

        // issue 17: links out of the folder, files that are not regular, fields out of range
        c.add(refused("config.json linked to a file outside the folder", d -> {
            Path m = mixtral(d.resolve("model"));
            Path secret = write(d.resolve("secret.txt"), "hf_SECRETTOKEN123");
            CorpusModels.delete(m.resolve("config.json"));
            Files.createSymbolicLink(m.resolve("config.json"), secret.toAbsolutePath());
            return new Made(m, m.resolve("config.json"), "outside the model folder");
        }));
        c.add(refused("model.safetensors linked to a file outside the folder", d -> {
            Path m = mixtral(d.resolve("model"));
            Path outside = CorpusModels.copy(m.resolve("model.safetensors"), d.resolve("elsewhere.safetensors"));
            CorpusModels.delete(m.resolve("model.safetensors"));
            Files.createSymbolicLink(m.resolve("model.safetensors"), outside.toAbsolutePath());
            return new Made(m, m.resolve("model.safetensors"), "outside the model folder");
        }));
        c.add(refusedByInspect("tokenizer.json linked to a private file", d -> {
            Path m = mixtral(d.resolve("model"));
            Path secret = write(d.resolve("token"), "hf_SECRETTOKEN123");
            Files.createSymbolicLink(m.resolve("tokenizer.json"), secret.toAbsolutePath());
            return new Made(m, m.resolve("tokenizer.json"), "outside the model folder").with("--text", "In the beginning");
        }));
        c.add(refused("config.json that is not JSON quotes none of it", d -> {
            Path m = mixtral(d.resolve("model"));
            return new Made(m, write(m.resolve("config.json"), "hf_SECRETTOKEN123"), "unrecognized token (line 1");
        }));
        c.add(refused("model.safetensors.index.json that is a FIFO", d -> {
            Path m = index(d, "x.safetensors");
            CorpusModels.delete(m.resolve("model.safetensors.index.json"));
            mkfifo(m.resolve("model.safetensors.index.json"));
            return new Made(m, m.resolve("model.safetensors.index.json"), "not a regular file");
        }));
        c.add(refused("config.json that is a FIFO", d -> {
            Path m = mixtral(d.resolve("model"));
            CorpusModels.delete(m.resolve("config.json"));
            mkfifo(m.resolve("config.json"));
            return new Made(m, m.resolve("config.json"), "not a regular file");
        }));
        c.add(refusedByInspect("tokenizer.json that is a FIFO", d -> {
            Path m = mixtral(d.resolve("model"));
            mkfifo(m.resolve("tokenizer.json"));
            return new Made(m, m.resolve("tokenizer.json"), "not a regular file").with("--text", "In the beginning");
        }));
        c.add(refused("rms_norm_eps negative", d -> {
            Path m = mixtral(d.resolve("model"));
            return new Made(m, config(m, cfg -> cfg.put("rms_norm_eps", -1)), "\"rms_norm_eps\" must be greater than 0");
        }));
        c.add(refused("rms_norm_eps 1e400 (infinite)", d -> {
            Path m = mixtral(d.resolve("model"));
            return new Made(m, config(m, cfg -> cfg.put("rms_norm_eps", new java.math.BigDecimal("1e400"))), "\"rms_norm_eps\" must be a finite number");
        }));
        c.add(refused("rope_theta a string", d -> {
            Path m = mixtral(d.resolve("model"));
            return new Made(m, config(m, cfg -> cfg.putObject("rope_parameters").put("rope_type", "default").put("rope_theta", "1e6")),
                    "\"rope_parameters.rope_theta\" must be a number");
        }));
        c.add(refused("yarn factor 0", d -> {
            Path m = mixtral(d.resolve("model"));
            return new Made(m, config(m, cfg -> cfg.putObject("rope_parameters").put("rope_type", "yarn").put("factor", 0)),
                    "\"rope_parameters.factor\" must be at least 1");
        }));
        c.add(refused("unsupported hidden_act", d -> {
            Path m = mixtral(d.resolve("model"));
            return new Made(m, config(m, cfg -> cfg.put("hidden_act", "gelu")), "hidden_act \"gelu\" is not supported");
        }));
        c.add(refused("unknown layer type", d -> {
            Path m = mixtral(d.resolve("model"));
            return new Made(m, config(m, cfg -> cfg.putArray("layer_types").add("full_attention").add("linear_attention")),
                    "layer type \"linear_attention\" in \"layer_types\" is not supported");
        }));
        c.add(refused("num_hidden_layers zero", d -> {
            Path m = mixtral(d.resolve("model"));
            return new Made(m, config(m, cfg -> cfg.put("num_hidden_layers", 0)), "\"num_hidden_layers\" must be at least 1");
        }));
        c.add(refusedByInspect("tokenizer.json with a garbage precompiled_charsmap", d -> {
            Path m = mixtral(d.resolve("model"));
            Path t = write(m.resolve("tokenizer.json"), "{'normalizer': {'type': 'Precompiled', 'precompiled_charsmap': '"
                    + java.util.Base64.getEncoder().encodeToString("garbage, not a trie".getBytes()) + "'},"
                    + " 'model': {'type': 'WordLevel', 'vocab': {'[UNK]': 0}, 'unk_token': '[UNK]'}}");
            return new Made(m, t, "precompiled_charsmap").with("--text", "In the beginning");
        }));
        c.add(refusedByInspect("tokenizer.json with a regex that backtracks without end", d -> {
            Path m = mixtral(d.resolve("model"));
            Path t = write(m.resolve("tokenizer.json"), "{'pre_tokenizer': {'type': 'Split', 'pattern': {'Regex': '(a|aa)+$'},"
                    + " 'behavior': 'Isolated', 'invert': false},"
                    + " 'model': {'type': 'WordLevel', 'vocab': {'[UNK]': 0}, 'unk_token': '[UNK]'}}");
            return new Made(m, t, "repeats a group").with("--text", "a".repeat(40) + "!");
        }));
        return c;
    }

    static void mkfifo(Path p) throws IOException {
        try {
            if (new ProcessBuilder("mkfifo", p.toString()).inheritIO().start().waitFor() != 0) throw new IOException("mkfifo failed");
        } catch (InterruptedException e) {
            throw new IOException(e);
        }
    }

    /** A sharded model folder whose index maps every tensor to one shard name. */
    private static Path index(Path caseDir, String shard) {
        Path m = mixtral(caseDir.resolve("model"));
        CorpusModels.delete(m.resolve("model.safetensors"));
        write(m.resolve("model.safetensors.index.json"), "{'metadata': {}, 'weight_map': {'a': '"
                + shard.replace("\\", "\\\\") + "'}}");
        return m;
    }

    private static List<TensorData> replace(List<TensorData> ts, String name, java.util.function.UnaryOperator<TensorData> f) {
        return ts.stream().map(t -> t.name().equals(name) ? f.apply(t) : t).toList();
    }

    @Test
    void everyMalformedCheckpointIsACleanRefusal() throws IOException {
        List<Case> corpus = corpus();
        assertTrue(corpus.size() >= 30, "the corpus needs at least 30 inputs, has " + corpus.size());
        List<Row> rows = new ArrayList<>();
        for (Case c : corpus) {
            Path caseDir = Files.createDirectories(root.resolve(slug(c.input())));
            Made made = c.maker().make(caseDir);
            rows.add(inspect(c, made, caseDir));
            rows.add(info(c, made));
        }
        String table = CorpusTable.markdown(rows, root);
        System.out.println(table);
        CorpusTable.keep(table);
        List<String> bad = rows.stream().filter(r -> !r.problems().isEmpty())
                .map(r -> r.input() + " / " + r.command() + ": " + String.join("; ", r.problems())).toList();
        assertTrue(bad.isEmpty(), "unclean rows:\n" + String.join("\n", bad));
    }

    private Row inspect(Case c, Made made, Path caseDir) throws IOException {
        Path outDir = Files.createDirectories(caseDir.resolve("out"));
        Path out = outDir.resolve("run.safetensors");
        Set<String> before = listing(made.model());
        List<String> args = new ArrayList<>(List.of("inspect", "--model", made.model().toString()));
        args.addAll(made.args());
        args.addAll(List.of("--out", out.toString()));
        Cli r = Cli.run(args.toArray(String[]::new));
        List<String> problems = new ArrayList<>();
        Set<String> written = listing(outDir);
        if (c.expect() == Expect.REFUSED) {
            checkRefusal(r, made, problems);
            if (!written.isEmpty()) problems.add("left files behind: " + written);
        } else {
            checkWarning(r, made, problems);
            if (!written.equals(Set.of("run.safetensors"))) problems.add("expected only the output, found " + written);
        }
        if (!listing(made.model()).equals(before)) problems.add("changed the model folder: " + listing(made.model()));
        String outcome = c.expect() == Expect.REFUSED ? "refused" : "ran, with a warning";
        return new Row(c.input(), "inspect", outcome, r.exitCode(), r.err().strip(), problems);
    }

    private Row info(Case c, Made made) throws IOException {
        Set<String> before = listing(made.model());
        Cli r = Cli.run("info", "--model", made.model().toString());
        List<String> problems = new ArrayList<>();
        String outcome;
        if (c.runs() == Runs.BOTH) {
            checkRefusal(r, made, problems);
            outcome = "refused";
        } else {
            // info reads headers and config only: weights, token ids and run size are inspect's to check.
            if (r.exitCode() != 0) problems.add("exit " + r.exitCode() + ", expected 0");
            if (!r.err().isEmpty()) problems.add("stderr not empty");
            outcome = "n/a: ok (reads no weights or ids)";
        }
        if (!listing(made.model()).equals(before)) problems.add("changed the model folder: " + listing(made.model()));
        return new Row(c.input(), "info", outcome, r.exitCode(), r.exitCode() == 0 ? "" : r.err().strip(), problems);
    }

    private static void checkRefusal(Cli r, Made made, List<String> problems) {
        if (r.exitCode() != 2) problems.add("exit " + r.exitCode() + ", expected 2");
        String[] lines = r.errLines();
        if (lines.length != 1) problems.add(lines.length + " lines on stderr, expected 1");
        if (!r.err().startsWith("moescope: ")) problems.add("stderr does not start with 'moescope: '");
        if (!r.err().contains(made.named().toString())) problems.add("does not name " + made.named());
        if (!r.err().contains(made.phrase())) problems.add("does not say '" + made.phrase() + "'");
        if (r.err().contains("\tat ") || r.err().contains("Exception")) problems.add("stack trace or exception name");
        if (!r.out().isEmpty()) problems.add("wrote to stdout");
        if (r.err().contains("SECRETTOKEN")) problems.add("quotes the content of a file that is not a model file");
    }

    private static void checkWarning(Cli r, Made made, List<String> problems) {
        if (r.exitCode() != 0) problems.add("exit " + r.exitCode() + ", expected 0");
        String[] lines = r.errLines();
        if (lines.length != 1) problems.add(lines.length + " lines on stderr, expected 1 warning");
        if (!r.err().startsWith("moescope: warning: ")) problems.add("stderr does not start with 'moescope: warning: '");
        if (!r.err().contains(made.phrase())) problems.add("does not say '" + made.phrase() + "'");
    }

    private static Set<String> listing(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) return Set.of();
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).collect(Collectors.toCollection(TreeSet::new));
        }
    }

    private static String slug(String input) {
        return input.replaceAll("[^A-Za-z0-9]+", "-").replaceAll("^-|-$", "").toLowerCase(java.util.Locale.ROOT);
    }
}
