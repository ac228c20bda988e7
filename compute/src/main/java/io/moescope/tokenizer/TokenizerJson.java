package io.moescope.tokenizer;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.moescope.files.CheckpointException;
import io.moescope.files.InputFiles;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;

/**
 * Checks a tokenizer.json in Java before the native tokenizers library sees it. That library
 * panics, and a Rust panic across JNI aborts the whole JVM, on some malformed files: a syntax
 * error inside "decoder", "normalizer", "pre_tokenizer" or "post_processor" hits an expect() in
 * its deserializer (found by TokenizerFuzzTest). So only JSON that serde_json will also accept
 * is passed on: well-formed, an object, nested less deeply than serde_json's recursion limit of
 * 128, and without lone UTF-16 surrogates, which serde_json refuses and Java strings allow.
 */
final class TokenizerJson {
    private TokenizerJson() {}

    /** The file's name in a model folder. */
    static final String FILE_NAME = "tokenizer.json";

    /** Real tokenizer.json files are tens of MB at most; the limit keeps a hostile one from exhausting the heap. */
    static final long MAX_BYTES = 256L << 20;

    /** serde_json's recursion limit is 128; the library's own structures add a few levels. */
    static final int MAX_DEPTH = 100;

    private static final JsonMapper MAPPER = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH).build())
                    .build())
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    /** @return the file's bytes, checked */
    static byte[] read(Path file) {
        byte[] bytes = InputFiles.readBytes(file, MAX_BYTES);
        check(file, bytes);
        return bytes;
    }

    static void check(Path file, byte[] bytes) {
        JsonNode root;
        try {
            root = InputFiles.parseJson(file, bytes, MAPPER, "JSON");
        } catch (CheckpointException e) {
            throw new CheckpointException(file, "not a valid HF " + FILE_NAME + ": " + e.problem(), e);
        }
        if (root == null || !root.isObject()) {
            throw new CheckpointException(file, "not a valid HF " + FILE_NAME + ": not a JSON object");
        }
        String bad = firstLoneSurrogate(root);
        if (bad != null) {
            throw new CheckpointException(file, "not a valid HF " + FILE_NAME + ": a string holds a lone UTF-16 surrogate ("
                    + bad + ")");
        }
        checkTemplates(file, root.path("post_processor"));
        for (String section : new String[] {"normalizer", "pre_tokenizer"}) checkSteps(file, section, root.path(section));
    }

    /**
     * The steps the native library cannot survive, found before it sees them: regexes that repeat a
     * group that repeats or alternates ({@link TokenizerRegex}), and a Precompiled normalizer whose
     * charsmap is not even shaped like one. Other malformations are the child process's to find
     * ({@link NativeProbe}).
     */
    private static void checkSteps(Path file, String section, JsonNode step) {
        Deque<JsonNode> todo = new ArrayDeque<>();
        todo.push(step);
        while (!todo.isEmpty()) {
            JsonNode n = todo.pop();
            if (!n.isObject()) continue;
            String type = n.path("type").asText("");
            String where = "not a valid HF " + FILE_NAME + ": " + section + " " + type + ": ";
            for (String list : new String[] {"normalizers", "pretokenizers", "pre_tokenizers"}) n.path(list).forEach(todo::push);
            JsonNode regex = n.path("pattern").path("Regex");
            if ((type.equals("Split") || type.equals("Replace")) && regex.isTextual()) {
                String why = TokenizerRegex.nestedRepetition(regex.textValue());
                if (why != null) throw new CheckpointException(file, where + why);
            }
            if (type.equals("Precompiled")) checkCharsmap(file, where, n.path("precompiled_charsmap"));
        }
    }

    /** base64 of: a little-endian u32 trie size in bytes (a multiple of 4), the trie, then the normalized strings. */
    private static void checkCharsmap(Path file, String where, JsonNode map) {
        if (map.isNull() || map.isMissingNode()) return;
        if (!map.isTextual()) throw new CheckpointException(file, where + "precompiled_charsmap is not a string");
        byte[] b;
        try {
            b = java.util.Base64.getDecoder().decode(map.textValue());
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(file, where + "precompiled_charsmap is not base64");
        }
        if (b.length < 4) throw new CheckpointException(file, where + "precompiled_charsmap is " + b.length + " bytes, too short");
        long trie = java.nio.ByteBuffer.wrap(b, 0, 4).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt() & 0xFFFFFFFFL;
        if (trie % 4 != 0 || trie > b.length - 4L) {
            throw new CheckpointException(file, where + "precompiled_charsmap declares a " + trie + "-byte trie in " + (b.length - 4)
                    + " bytes");
        }
    }

    /**
     * A TemplateProcessing post-processor whose template names a special token missing from its
     * special_tokens panics the library when it encodes (found by TokenizerFuzzTest in CI).
     */
    private static void checkTemplates(Path file, JsonNode processor) {
        if (processor.path("type").asText().equals("Sequence")) {
            for (JsonNode p : processor.path("processors")) checkTemplates(file, p);
            return;
        }
        if (!processor.path("type").asText().equals("TemplateProcessing")) return;
        JsonNode special = processor.path("special_tokens");
        for (String template : new String[]{"single", "pair"}) {
            for (JsonNode piece : processor.path(template)) {
                JsonNode token = piece.path("SpecialToken");
                if (token.isMissingNode()) continue;
                String id = token.path("id").asText();
                if (!special.has(id)) {
                    throw new CheckpointException(file, "not a valid HF " + FILE_NAME + ": post_processor template \""
                            + template + "\" names special token \"" + escape(id) + "\", which special_tokens does not define");
                }
            }
        }
    }

    /** Iterative, as the tree may be {@value #MAX_DEPTH} deep. */
    private static String firstLoneSurrogate(JsonNode root) {
        Deque<JsonNode> todo = new ArrayDeque<>();
        todo.push(root);
        while (!todo.isEmpty()) {
            JsonNode n = todo.pop();
            if (n.isTextual() && hasLoneSurrogate(n.textValue())) return escape(n.textValue());
            if (n.isObject()) {
                for (Map.Entry<String, JsonNode> e : n.properties()) {
                    if (hasLoneSurrogate(e.getKey())) return escape(e.getKey());
                    todo.push(e.getValue());
                }
            } else if (n.isArray()) {
                n.forEach(todo::push);
            }
        }
        return null;
    }

    static boolean hasLoneSurrogate(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return true;
            }
        }
        return false;
    }

    private static String escape(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length() && i < 40; i++) {
            char c = s.charAt(i);
            b.append(Character.isSurrogate(c) ? String.format("\\u%04x", (int) c) : String.valueOf(c));
        }
        return b.toString();
    }
}
