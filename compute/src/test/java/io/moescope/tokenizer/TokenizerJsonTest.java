package io.moescope.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.moescope.files.CheckpointException;
import io.moescope.testing.Conformance;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What reaches the native tokenizers library: before these checks, each of the first three files
 * made it panic and abort the JVM (found by TokenizerFuzzTest, then by hand).
 */
class TokenizerJsonTest {
    @TempDir Path dir;

    private String refusal(String json) throws IOException {
        Path file = Files.writeString(dir.resolve("tokenizer.json"), json);
        var e = assertThrows(CheckpointException.class, () -> Tokenizer.load(file));
        assertEquals(file, e.file());
        assertTrue(!e.getMessage().contains("\n"), e.getMessage());
        return e.getMessage();
    }

    private static String wordLevel(String decoder) {
        return "{\"version\": \"1.0\", \"decoder\": " + decoder + ", \"model\": {\"type\": \"WordLevel\","
                + " \"vocab\": {\"[UNK]\": 0, \"Hello\": 1}, \"unk_token\": \"[UNK]\"}}";
    }

    @Test
    void syntaxErrorInsideTheDecoderIsRefusedInJava() throws IOException {
        assertTrue(refusal(wordLevel("{\"type\": \"ByteLevel\", 5: 1}")).contains("not a valid HF tokenizer.json: invalid JSON"));
    }

    @Test
    void nestingDeeperThanTheNativeParserTakesIsRefused() throws IOException {
        String deep = "[".repeat(150) + "]".repeat(150);
        assertTrue(refusal(wordLevel(deep)).contains("invalid JSON"));
    }

    @Test
    void loneSurrogateIsRefused() throws IOException {
        assertTrue(refusal(wordLevel("{\"type\": \"Replace\", \"pattern\": {\"String\": \"\\ud800\"}, \"content\": \"x\"}"))
                .contains("lone UTF-16 surrogate"));
    }

    @Test
    void notAnObjectIsRefused() throws IOException {
        assertTrue(refusal("[1, 2]").contains("not a JSON object"));
    }

    @Test
    void tokenizerThatFailsOnTextSaysSoWithItsFile() throws IOException {
        // Loads, but WordPiece cannot encode an unknown word without its unk_token in the vocabulary.
        Path file = Files.writeString(dir.resolve("tokenizer.json"), "{\"model\": {\"type\": \"WordPiece\", \"unk_token\": \"[UNK]\","
                + " \"continuing_subword_prefix\": \"##\", \"max_input_chars_per_word\": 100, \"vocab\": {\"a\": 0}}}");
        try (Tokenizer t = Tokenizer.load(file)) {
            var e = assertThrows(CheckpointException.class, () -> t.encode("zebra"));
            assertEquals(file, e.file());
            assertTrue(e.getMessage().contains("cannot tokenize with this tokenizer.json"), e.getMessage());
        }
    }

    @Test
    void realTokenizerPassesTheChecks() {
        try (Tokenizer t = Tokenizer.load(Conformance.dir().resolve("tokenizer-kjv"))) {
            assertEquals(5, t.encode("In the beginning").length);
        }
    }

    @Test
    void loneSurrogateDetection() {
        assertTrue(TokenizerJson.hasLoneSurrogate("a\ud800"));
        assertTrue(TokenizerJson.hasLoneSurrogate("\udc00b"));
        assertTrue(!TokenizerJson.hasLoneSurrogate("emoji \ud83d\ude00 ok"));
    }
}
