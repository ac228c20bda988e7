package io.moescope.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.moescope.testing.Conformance;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** Every entry of the HF golden file must come out identical: ids, token strings and decoded text. */
class TokenizerGoldenTest {
    private static Path dir;
    private static Tokenizer tokenizer;

    @BeforeAll
    static void load() {
        dir = Conformance.dir().resolve("tokenizer-kjv");
        tokenizer = Tokenizer.load(dir);
    }

    @AfterAll
    static void close() {
        tokenizer.close();
    }

    @TestFactory
    List<DynamicTest> matchesTransformers() throws IOException {
        JsonNode golden = new ObjectMapper().readTree(dir.resolve("golden.json").toFile());
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode entry : golden) {
            String text = entry.get("text").asText();
            int[] ids = StreamSupport.stream(entry.get("ids").spliterator(), false).mapToInt(JsonNode::asInt).toArray();
            String[] tokens = StreamSupport.stream(entry.get("tokens").spliterator(), false).map(JsonNode::asText).toArray(String[]::new);
            String decoded = entry.get("decoded").asText();
            tests.add(DynamicTest.dynamicTest("golden " + tests.size() + ": " + abbreviate(text), () -> {
                assertArrayEquals(ids, tokenizer.encode(text), "ids of " + text);
                assertArrayEquals(tokens, tokenizer.tokens(text), "tokens of " + text);
                assertEquals(decoded, tokenizer.decode(ids), "decoded ids of " + text);
            }));
        }
        assertEquals(6, tests.size(), "golden.json entries");
        return tests;
    }

    private static String abbreviate(String text) {
        String oneLine = text.replace("\n", "\\n").replace("\t", "\\t");
        return oneLine.length() <= 30 ? oneLine : oneLine.substring(0, 30) + "...";
    }
}
