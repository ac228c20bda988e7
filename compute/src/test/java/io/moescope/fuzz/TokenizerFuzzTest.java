package io.moescope.fuzz;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.moescope.tokenizer.Tokenizer;
import java.nio.file.Path;
import org.junit.jupiter.api.Timeout;

/**
 * tokenizer.json on arbitrary bytes: loading (by the native tokenizers library), the vocabulary
 * count we read ourselves, and one round of encode/decode with what loaded.
 */
class TokenizerFuzzTest {
    private static final Path FILE = Scratch.dir("tokenizer").resolve(Tokenizer.FILE_NAME);

    @FuzzTest(maxDuration = "6s")
    @Timeout(30)
    @DictionaryEntries({"\"model\"", "\"type\"", "\"BPE\"", "\"WordPiece\"", "\"WordLevel\"", "\"Unigram\"", "\"vocab\"",
            "\"merges\"", "\"unk_token\"", "\"added_tokens\"", "\"id\"", "\"content\"", "\"special\"",
            "\"pre_tokenizer\"", "\"ByteLevel\"", "\"Whitespace\"", "\"normalizer\"", "\"NFC\"", "\"post_processor\"",
            "\"TemplateProcessing\"", "\"decoder\"", "\"byte_fallback\"", "4294967295", "-1"})
    void loadAndEncode(byte[] input) throws Exception {
        Scratch.write(FILE, input);
        Refusals.successOrRefusal(() -> {
            try (Tokenizer t = Tokenizer.load(FILE)) {
                t.vocabSize();
                int[] ids = t.encode("Hello, world! In the beginning 123 ünï");
                t.tokens("Hello");
                t.decode(ids);
            }
        });
    }
}
