package io.moescope.checkpoint;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.file.Files;
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
        try {
            JsonNode root = MAPPER.readTree(bytes);
            if (root == null || root.isMissingNode()) throw new CheckpointException(file, "invalid " + what + ": empty");
            return root;
        } catch (JacksonException e) {
            throw new CheckpointException(file, "invalid " + what + ": " + oneLine(e), e);
        } catch (IOException e) {
            throw new CheckpointException(file, "cannot read: " + e.getMessage(), e);
        }
    }

    /** config.json and index files are kilobytes to megabytes; a hostile one must not be read whole onto the heap. */
    static final long MAX_FILE_BYTES = 100_000_000L;

    static JsonNode parseFile(Path file, String what) {
        byte[] bytes;
        try {
            long size = Files.size(file);
            if (size > MAX_FILE_BYTES) {
                throw new CheckpointException(file, "too large: " + size + " bytes, more than the 100 MB limit for a JSON file");
            }
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new CheckpointException(file, "cannot read: " + e.getMessage(), e);
        }
        return parse(file, bytes, what);
    }

    /** A JSON value as messages quote it: short, since it comes from an untrusted file and may be huge. */
    static String brief(JsonNode node) {
        String s = node.isTextual() ? node.textValue() : node.toString();
        return s.length() <= 60 ? s : s.substring(0, 60) + "...";
    }

    private static String oneLine(JacksonException e) {
        String msg = String.valueOf(e.getOriginalMessage()).replaceAll("\\s+", " ").trim();
        JsonLocation loc = e.getLocation();
        if (loc != null && loc.getLineNr() > 0) msg += " (line " + loc.getLineNr() + ", column " + loc.getColumnNr() + ")";
        return msg;
    }
}
