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

class TokenizerTest {
    private static final Path KJV = Conformance.dir().resolve("tokenizer-kjv");

    @Test
    void loadsFolderOrFileAlike() {
        try (Tokenizer fromDir = Tokenizer.load(KJV); Tokenizer fromFile = Tokenizer.load(KJV.resolve("tokenizer.json"))) {
            assertEquals(fromDir.file(), fromFile.file());
            assertEquals(2048, fromDir.vocabSize());
        }
    }

    @Test
    void neverTruncates() {
        // DJL's own default would cut this at 512 tokens.
        String verse = "In the beginning God created the heaven and the earth.";
        try (Tokenizer t = Tokenizer.load(KJV)) {
            int one = t.encode(verse).length;
            assertEquals(100 * one, t.encode(verse.repeat(100)).length);
        }
    }

    @Test
    void emptyTextGivesNoIds() {
        try (Tokenizer t = Tokenizer.load(KJV)) {
            assertEquals(0, t.encode("").length);
        }
    }

    @Test
    void folderWithoutTokenizerNamesTheExpectedFile(@TempDir Path dir) {
        CheckpointException e = assertThrows(CheckpointException.class, () -> Tokenizer.load(dir));
        assertEquals(dir.resolve("tokenizer.json"), e.file());
        assertTrue(e.getMessage().contains("tokenizer.json"), e.getMessage());
    }

    @Test
    void missingPathIsNamed(@TempDir Path dir) {
        Path nowhere = dir.resolve("nowhere");
        CheckpointException e = assertThrows(CheckpointException.class, () -> Tokenizer.load(nowhere));
        assertEquals(nowhere, e.file());
    }

    @Test
    void malformedFileIsRefused(@TempDir Path dir) throws IOException {
        Path bad = Files.writeString(dir.resolve("tokenizer.json"), "not json");
        CheckpointException e = assertThrows(CheckpointException.class, () -> Tokenizer.load(dir));
        assertEquals(bad, e.file());
        assertTrue(e.getMessage().contains("not a valid"), e.getMessage());
    }
}
