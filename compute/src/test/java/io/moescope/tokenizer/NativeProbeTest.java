package io.moescope.tokenizer;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.moescope.files.CheckpointException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tokenizer files that make the native tokenizers library abort the process (issue 17) are refused
 * in one line, and this JVM survives to say so: by the checks in Java where the danger is known, by
 * the child process of {@link NativeProbe} where it is not.
 */
class NativeProbeTest {
    @TempDir Path dir;

    private static final String VOCAB = "'model': {'type': 'WordLevel', 'vocab': {'[UNK]': 0, 'a': 1, '!': 2}, 'unk_token': '[UNK]'}";

    private Path write(String json) throws Exception {
        return Files.writeString(dir.resolve("tokenizer.json"), json.replace('\'', '"'));
    }

    private String refusal(Path file) {
        CheckpointException e = assertThrows(CheckpointException.class, () -> Tokenizer.load(file).close());
        assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
        return e.getMessage();
    }

    @Test
    void aRegexThatBacktracksWithoutEndIsRefused() throws Exception {
        Path f = write("{'pre_tokenizer': {'type': 'Split', 'pattern': {'Regex': '(a|aa)+$'}, 'behavior': 'Isolated', 'invert': false}, "
                + VOCAB + "}");
        assertTrue(refusal(f).contains("repeats a group"));
    }

    @Test
    void aGarbageCharsmapIsRefused() throws Exception {
        byte[] garbage = "this is no darts trie at all".getBytes(StandardCharsets.UTF_8);
        Path f = write("{'normalizer': {'type': 'Precompiled', 'precompiled_charsmap': '" + Base64.getEncoder().encodeToString(garbage)
                + "'}, " + VOCAB + "}");
        assertTrue(refusal(f).contains("precompiled_charsmap"));
    }

    @Test
    void aCharsmapShapedRightButWrongInsideIsCaughtByTheChild() throws Exception {
        // A 1024-byte trie of 0xff units: every lookup jumps far outside the array.
        byte[] b = new byte[4 + 1024 + 8];
        b[0] = 0; b[1] = 4;   // 1024, little-endian
        for (int i = 4; i < 4 + 1024; i++) b[i] = (byte) 0xff;
        Path f = write("{'normalizer': {'type': 'Precompiled', 'precompiled_charsmap': '" + Base64.getEncoder().encodeToString(b)
                + "'}, " + VOCAB + "}");
        String m = refusal(f);
        assertTrue(m.contains("native tokenizer") || m.contains("not a valid"), m);
    }

    @Test
    void repeatedClassesAreFine() {
        for (String ok : new String[] {"'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+",
                "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+",
                "(ab)+", "(a)?", "[(a|b)+]+"}) {
            assertTrue(TokenizerRegex.nestedRepetition(ok) == null, ok);
        }
        for (String bad : new String[] {"(a|aa)+$", "(a+)+", "((ab)*)*", "(?:x|y){2,}", "(a|b)*c"}) {
            assertTrue(TokenizerRegex.nestedRepetition(bad) != null, bad);
        }
    }
}
