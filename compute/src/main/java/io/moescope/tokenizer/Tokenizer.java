package io.moescope.tokenizer;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.moescope.files.CheckpointException;
import io.moescope.checkpoint.ModelFiles;
import io.moescope.files.InputFiles;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * An HF {@code tokenizer.json}, run by the Rust tokenizers library (through DJL) so that ids match
 * transformers exactly, byte-level quirks included.
 *
 * <p>Only {@code tokenizer.json} is read, never {@code tokenizer_config.json}: that is what the
 * tokenizers library does, and it keeps results independent of whatever else lies in the folder.
 * Special tokens are added exactly where the file's post-processor adds them (HF's default).
 */
public final class Tokenizer implements AutoCloseable {
    public static final String FILE_NAME = TokenizerJson.FILE_NAME;

    static {
        // DJL may otherwise try the network for natives it lacks; ours are in its jar.
        if (System.getProperty("ai.djl.offline") == null) System.setProperty("ai.djl.offline", "true");
    }

    /** DJL truncates to 512 tokens and pads by default; transformers does neither unless asked. */
    private static final Map<String, String> OPTIONS =
            Map.of("addSpecialTokens", "true", "truncation", "false", "padding", "false");

    private final Path file;
    private final HuggingFaceTokenizer hf;
    private volatile int vocabSize = -1;

    private Tokenizer(Path file, HuggingFaceTokenizer hf) {
        this.file = file;
        this.hf = hf;
    }

    /**
     * @param dirOrTokenizerJson a model folder holding {@code tokenizer.json}, or the file itself
     * @throws CheckpointException naming the file when it is missing or not a tokenizer
     */
    public static Tokenizer load(Path dirOrTokenizerJson) {
        if (!Files.exists(dirOrTokenizerJson)) {
            throw new CheckpointException(dirOrTokenizerJson, "does not exist");
        }
        Path file = Files.isDirectory(dirOrTokenizerJson) ? dirOrTokenizerJson.resolve(FILE_NAME) : dirOrTokenizerJson;
        if (!Files.exists(file, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            throw new CheckpointException(file, "missing: the tokenizer must be an HF " + FILE_NAME + " in the model folder");
        }
        // In a model folder, tokenizer.json must not lead out of it (a link to a private file).
        if (Files.isDirectory(dirOrTokenizerJson)) ModelFiles.require(dirOrTokenizerJson, FILE_NAME);
        else InputFiles.requireRegular(file);
        byte[] json = TokenizerJson.read(file);
        // What our checks cannot foresee must not take this process down with it.
        NativeProbe.check(file, json);
        try (InputStream in = new ByteArrayInputStream(json)) {
            return new Tokenizer(file, HuggingFaceTokenizer.newInstance(in, OPTIONS));
        } catch (IOException e) {
            throw new CheckpointException(file, "cannot read: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            // The native side reports a malformed file as a bare RuntimeException ("expected value at line 1 ...").
            throw new CheckpointException(file, "not a valid HF " + FILE_NAME + ": " + describe(e), e);
        }
    }

    public Path file() {
        return file;
    }

    /** @throws CheckpointException naming the file when this tokenizer.json cannot tokenize the text */
    public int[] encode(String text) {
        return toInts(encoding(text).getIds());
    }

    /** The token strings of {@link #encode}, as the tokenizer spells them (e.g. byte-level "Ġthe"). */
    public String[] tokens(String text) {
        return encoding(text).getTokens();
    }

    /** Special tokens are kept, as transformers' {@code decode} does by default. */
    public String decode(int[] ids) {
        long[] longs = new long[ids.length];
        for (int i = 0; i < ids.length; i++) longs[i] = ids[i];
        try {
            return hf.decode(longs, false);
        } catch (RuntimeException e) {
            throw new CheckpointException(file, "cannot decode with this " + FILE_NAME + ": " + describe(e), e);
        }
    }

    /** Number of distinct ids, added tokens included (HF's {@code get_vocab_size(True)}). */
    public int vocabSize() {
        int n = vocabSize;
        if (n < 0) vocabSize = n = countVocab(file);
        return n;
    }

    @Override
    public void close() {
        hf.close();
    }

    /**
     * A tokenizer.json that loads can still fail on a text (a WordPiece model whose unk_token is not
     * in its vocabulary, say); the native side throws a bare RuntimeException, which we name.
     */
    private Encoding encoding(String text) {
        if (text == null) throw new IllegalArgumentException("text must not be null");
        try {
            return hf.encode(text, true, false);
        } catch (RuntimeException e) {
            throw new CheckpointException(file, "cannot tokenize with this " + FILE_NAME + ": " + describe(e), e);
        }
    }

    /** Ids are u32 in tokenizer.json; ours are int, as the models' vocabularies are. */
    private int[] toInts(long[] ids) {
        int[] out = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0 || ids[i] > Integer.MAX_VALUE) {
                throw new CheckpointException(file, "token id " + ids[i] + " is beyond the largest id we support (" + Integer.MAX_VALUE + ")");
            }
            out[i] = (int) ids[i];
        }
        return out;
    }

    private static String describe(RuntimeException e) {
        return e.getMessage() == null || e.getMessage().isBlank() ? e.getClass().getSimpleName() : e.getMessage();
    }

    /** DJL does not expose the vocabulary size, so read it from the file; done lazily as large vocabularies cost a parse. */
    private static int countVocab(Path file) {
        try {
            JsonNode root = new ObjectMapper().readTree(InputFiles.readBytes(file, TokenizerJson.MAX_BYTES));
            Set<Long> ids = new HashSet<>();
            JsonNode vocab = root.path("model").path("vocab");
            if (vocab.isObject()) {
                vocab.properties().forEach(e -> ids.add(e.getValue().asLong()));
            } else if (vocab.isArray()) {
                // Unigram: [[piece, score], ...], the id being the position.
                for (long i = 0; i < vocab.size(); i++) ids.add(i);
            }
            for (JsonNode added : root.path("added_tokens")) ids.add(added.path("id").asLong());
            return ids.size();
        } catch (IOException e) {
            throw new CheckpointException(file, "cannot read the vocabulary: " + e.getMessage(), e);
        }
    }
}
