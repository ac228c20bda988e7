package io.moescope.app;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.moescope.tokenizer.Tokenizer;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "tokenize",
        description = "Print the token ids of a text as a JSON array, exactly as HF tokenizers gives them.",
        footer = {"", "Example:",
                "  moescope tokenize --tokenizer sample-models/kjv-data --text \"In the beginning\"",
                "  [42,79,260,1940,1257]"})
final class TokenizeCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--tokenizer", required = true, paramLabel = "DIR|FILE",
            description = "A folder with tokenizer.json (e.g. the model folder), or the file itself.")
    Path tokenizer;

    @Option(names = "--text", required = true, paramLabel = "TEXT", description = "The text to tokenize.")
    String text;

    @Option(names = "--tokens", description = "Also print the token strings, as a second JSON array.")
    boolean tokens;

    @Override
    public Integer call() throws JsonProcessingException {
        PrintWriter out = spec.commandLine().getOut();
        try (Tokenizer t = Tokenizer.load(tokenizer)) {
            out.println(TokenIds.json(t.encode(text)));
            if (tokens) out.println(new ObjectMapper().writeValueAsString(t.tokens(text)));
        }
        return 0;
    }
}
