package io.moescope.files;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The one way MoEScope reads a file whole (configs, indexes, tokenizers, texts, sessions, logs).
 * Only regular files are read, so a FIFO or a device cannot block or flood a run; the size is
 * bounded before anything is allocated; and what goes wrong is a {@link CheckpointException} that
 * names the file and the problem without quoting its content (a file linked in by mistake may be a
 * private one).
 */
public final class InputFiles {
    private InputFiles() {}

    /** Texts to tokenize: a Java string holds at most about 2^31 characters. */
    public static final long MAX_TEXT_BYTES = 1L << 30;
    /** Configs, indexes, sessions, states: kilobytes to megabytes; a hostile one must not fill the heap. */
    public static final long MAX_JSON_BYTES = 100_000_000L;

    /** @throws CheckpointException when the file is missing or not a regular file (links are followed) */
    public static Path requireRegular(Path file) {
        if (!Files.exists(file)) throw new CheckpointException(file, "file does not exist");
        if (Files.isDirectory(file)) throw new CheckpointException(file, "is a folder, not a file");
        if (!Files.isRegularFile(file)) {
            throw new CheckpointException(file, "is not a regular file (a FIFO, device or socket): not read");
        }
        return file;
    }

    /** An input of the run: read whole, and protected from being overwritten by the run's outputs. */
    public static byte[] readBytes(Path file, long maxBytes) {
        byte[] bytes = readOwnBytes(file, maxBytes);
        OutputGuard.protectFile(file);
        return bytes;
    }

    /** A file the program wrote and may rewrite in the same run (its training log or state): not protected. */
    public static byte[] readOwnBytes(Path file, long maxBytes) {
        requireRegular(file);
        try {
            long size = Files.size(file);
            if (size > maxBytes) throw tooLarge(file, size, maxBytes);
            try (InputStream in = Files.newInputStream(file)) {
                // The size may change while we read, or lie (files under /proc): never read past the limit.
                byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
                if (bytes.length > maxBytes) throw tooLarge(file, bytes.length, maxBytes);
                return bytes;
            }
        } catch (IOException e) {
            throw new CheckpointException(file, "cannot read: " + IoProblems.describe(e), e);
        }
    }

    /** Strict UTF-8: a byte sequence that is not text is refused, with its position, not decoded as U+FFFD. */
    public static String readUtf8(Path file, long maxBytes) {
        return utf8(file, readBytes(file, maxBytes));
    }

    public static String readOwnUtf8(Path file, long maxBytes) {
        return utf8(file, readOwnBytes(file, maxBytes));
    }

    private static String utf8(Path file, byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new CheckpointException(file, "not valid UTF-8 text" + firstBadByte(bytes));
        }
    }

    /** Reads and parses a JSON file; syntax errors give a kind and a position, never the file's bytes. */
    public static JsonNode readJson(Path file, long maxBytes, ObjectMapper mapper, String what) {
        byte[] bytes = readBytes(file, maxBytes);
        return parseJson(file, bytes, mapper, what);
    }

    public static JsonNode parseJson(Path file, byte[] bytes, ObjectMapper mapper, String what) {
        try {
            JsonNode root = mapper.readTree(bytes);
            if (root == null || root.isMissingNode()) throw new CheckpointException(file, "invalid " + what + ": empty");
            return root;
        } catch (JacksonException e) {
            throw new CheckpointException(file, "invalid " + what + ": " + jsonProblem(e), e);
        } catch (IOException e) {
            throw new CheckpointException(file, "cannot read: " + IoProblems.describe(e), e);
        }
    }

    /**
     * What kind of JSON error, and where: Jackson's own messages quote the offending token, which
     * for a file that is not JSON at all (a key file linked as config.json) would be its secret.
     */
    public static String jsonProblem(JacksonException e) {
        String m = String.valueOf(e.getOriginalMessage());
        String kind;
        if (m.startsWith("Unexpected end-of-input")) kind = "unexpected end of input";
        else if (m.startsWith("Duplicate field") || m.startsWith("Duplicate Object property")) kind = duplicate(m);
        else if (m.contains("nesting depth")) kind = "nested too deeply";
        else if (m.startsWith("Unexpected character")) kind = "unexpected character";
        else if (m.startsWith("Unrecognized token")) kind = "unrecognized token";
        else if (m.startsWith("Trailing token")) kind = "more content after the JSON value";
        else if (m.contains("Invalid UTF-8") || m.contains("Invalid UTF")) kind = "invalid UTF-8";
        else if (m.contains("control character")) kind = "unescaped control character in a string";
        else if (m.toLowerCase(java.util.Locale.ROOT).contains("exceeds the maximum")) kind = "a value longer than allowed";
        else if (m.contains("Numeric value") && m.contains("out of range")) kind = "a number out of range";
        else kind = "syntax error";
        JsonLocation loc = e.getLocation();
        if (loc != null && loc.getLineNr() > 0) kind += " (line " + loc.getLineNr() + ", column " + loc.getColumnNr() + ")";
        return kind;
    }

    /** The key is a name from a file that parses as JSON (a header, a config), shown short and on one line. */
    private static String duplicate(String message) {
        java.util.regex.Matcher k = java.util.regex.Pattern.compile("'(.*)'", java.util.regex.Pattern.DOTALL).matcher(message);
        if (!k.find()) return "a key appears twice";
        String key = k.group(1).replaceAll("\\p{Cntrl}", "?");
        return "key \"" + (key.length() <= 40 ? key : key.substring(0, 40) + "...") + "\" appears twice";
    }

    private static String firstBadByte(byte[] bytes) {
        var decoder = StandardCharsets.UTF_8.newDecoder();
        ByteBuffer in = ByteBuffer.wrap(bytes);
        var out = java.nio.CharBuffer.allocate(Math.max(16, bytes.length));
        var r = decoder.decode(in, out, true);
        return r.isError() ? " (first bad byte at offset " + in.position() + ")" : "";
    }

    private static CheckpointException tooLarge(Path file, long size, long max) {
        String limit = max >= 1_000_000 ? max / 1_000_000 + " MB" : max + "-byte";
        return new CheckpointException(file, "too large: " + size + " bytes, more than the " + limit + " limit for this file");
    }
}
