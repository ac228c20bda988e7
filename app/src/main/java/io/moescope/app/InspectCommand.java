package io.moescope.app;

import io.moescope.files.CheckpointException;
import io.moescope.checkpoint.SafetensorsWriter;
import io.moescope.checkpoint.TensorData;
import io.moescope.inspect.InspectService;
import io.moescope.inspect.RunLimits;
import io.moescope.tokenizer.Tokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "inspect",
        description = {"Run one forward pass with every probe on; write what it saw as safetensors.",
                "Tensors (float32 unless noted):",
                "  logits [T,V]   loss [1]   attn.l [H,T,T]",
                "  hidden.i [T,D]  i = 0..L; 0 = embeddings, L = after the final norm",
                "  per MoE layer l: router.l.logits [T,E], router.l.topk_idx [T,k] int32,",
                "                   router.l.topk_weight [T,k]"},
        footer = {"", "Examples:",
                "  moescope inspect --model MODEL --ids 5,17,42 --out run.safetensors",
                "  moescope inspect --model MODEL --text \"In the beginning\" --out run.safetensors"})
final class InspectCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "DIR|REPO", description = "HF model folder (config.json, *.safetensors), or a repo id (org/name) found in the local Hugging Face cache.")
    Path model;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Input input;

    static final class Input {
        @Option(names = "--ids", required = true, paramLabel = "IDS", description = "Token ids, comma-separated, e.g. 5,17,42.")
        String ids;

        @Option(names = "--text", required = true, paramLabel = "TEXT", description = "Text, tokenized with the model folder's tokenizer.json.")
        String text;
    }

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "Output safetensors file, written atomically.")
    Path out;

    @Option(names = "--grads", description = "Also write gradients of the loss.")
    boolean grads;

    @Mixin ComputeOptions compute;

    @Option(names = "--max-tokens", paramLabel = "N", description = "Refuse prompts longer than N tokens (default "
            + RunLimits.DEFAULT_MAX_TOKENS + ", or the system property " + RunLimits.MAX_TOKENS_PROPERTY + ").")
    Integer maxTokens;

    @Override
    public Integer call() {
        compute.validate();
        model = ModelFolder.require(model);
        requireOutputFolder();
        int[] ids = input.ids != null ? TokenIds.parse(input.ids) : tokenize(input.text);
        List<TensorData> tensors;
        RunLimits limits = limits();
        tensors = compute.run(spec.commandLine().getErr(), backend -> InspectService.inspect(model, ids, grads, this::warn, backend, limits));
        // Written only after the pass succeeded, and atomically, so a failure never leaves a partial file.
        SafetensorsWriter.write(out, tensors, metadata(ids));
        spec.commandLine().getOut().println("wrote " + tensors.size() + " tensors for " + ids.length + " tokens to " + out);
        compute.printProfile(spec.commandLine().getErr());
        return 0;
    }

    /** Checked first: finding out after a long forward pass would waste it. */
    private void requireOutputFolder() {
        if (Files.isDirectory(out)) throw new CheckpointException(out, "is a folder: --out wants a file name");
        ModelFolder.requireOutputFolder(out);
    }

    private int[] tokenize(String text) {
        try (Tokenizer tokenizer = Tokenizer.load(model)) {
            int[] ids = tokenizer.encode(text);
            if (ids.length == 0) throw new CheckpointException(model, "empty input: --text gave no tokens");
            return ids;
        }
    }

    /**
     * Read when the run starts, after a collection, so that the memory left is measured then and
     * earlier work's garbage (many commands run in one JVM under test) is not counted as in use.
     */
    private RunLimits limits() {
        RunLimits limits = RunLimits.afterCollecting();
        return maxTokens == null ? limits : limits.withMaxTokens(maxTokens);
    }

    /** Problems that do not stop the run (NaN/Inf weights) are told on stderr, one line each; stdout stays for results. */
    private void warn(String warning) {
        spec.commandLine().getErr().println("moescope: warning: " + warning);
        spec.commandLine().getErr().flush();
    }

    private Map<String, String> metadata(int[] ids) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("producer", "moescope " + Version.get());
        m.put("model", model.toAbsolutePath().normalize().toString());
        m.put("input_ids", TokenIds.csv(ids));
        m.put("grads", Boolean.toString(grads));
        return m;
    }
}
