package io.moescope.checkpoint;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.moescope.files.InputFiles;
import java.nio.file.Path;

/** Strict JSON reading shared by headers, indexes and configs, turning parse errors into one-line problems. */
final class Json {
    private Json() {}

    /** Duplicate keys would let two header entries silently shadow each other, so they are errors. */
    static final JsonMapper MAPPER = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    /** @param what how the problem names the content, e.g. "header JSON" */
    static JsonNode parse(Path file, byte[] bytes, String what) {
        return InputFiles.parseJson(file, bytes, MAPPER, what);
    }

    /** config.json and index files are kilobytes to megabytes; a hostile one must not be read whole onto the heap. */
    static final long MAX_FILE_BYTES = 100_000_000L;

    static JsonNode parseFile(Path file, String what) {
        return InputFiles.readJson(file, MAX_FILE_BYTES, MAPPER, what);
    }

    /** A JSON value as messages quote it: short, since it comes from an untrusted file and may be huge. */
    static String brief(JsonNode node) {
        String s = node.isTextual() ? node.textValue() : node.toString();
        return s.length() <= 60 ? s : s.substring(0, 60) + "...";
    }
}
