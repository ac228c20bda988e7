package io.moescope.tokenizer;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import io.moescope.files.CheckpointException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Runs a tokenizer.json through the native tokenizers library in a child JVM before this process
 * loads it. The library aborts the whole process on some malformed files (a Rust panic across JNI:
 * a garbage {@code precompiled_charsmap}, a regex that backtracks without end, and whatever else
 * its authors did not foresee), so no check of ours can list every such file; a child that dies
 * instead of us can. The child loads the file and tokenizes {@link #SAMPLES}; if it dies or hangs,
 * the file is refused with one line. A file that passed is remembered by its content for the rest
 * of the run.
 */
final class NativeProbe {
    private NativeProbe() {}

    /** Texts that walk every part of a tokenizer: letters, digits, spaces, punctuation, accents, CJK, emoji, long runs. */
    static final List<String> SAMPLES = List.of("In the beginning God created the heaven and the earth.",
            "Héllo wörld! 12345 6.7e8 — “quoted” ‘text’ \t\n  spaces   and\r\nnewlines",
            "日本語のテキスト 中文 한국어 ﬁ ½ Ⅻ", "emoji 🙂👍🏽 and combining é e\u0301",
            "a".repeat(40) + "!", "ab".repeat(200) + "?", " ".repeat(64), "");

    /** Generous: a healthy tokenizer loads and tokenizes the samples in well under a second. */
    private static final long TIMEOUT_SECONDS = 60;

    private static final Map<String, Boolean> passed = new ConcurrentHashMap<>();

    /** @throws CheckpointException naming the file when the native library dies or hangs on it */
    static void check(Path file, byte[] json) {
        String key = sha256(json);
        if (passed.containsKey(key)) return;
        Path copy = null;
        Path errors = null;
        try {
            copy = Files.createTempFile("moescope-tokenizer-probe-", ".json");
            Files.write(copy, json);
            errors = Files.createTempDirectory("moescope-tokenizer-probe-");
            Process p = new ProcessBuilder(command(copy, errors))
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            boolean done;
            try {
                done = p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new CheckpointException(file, "interrupted while checking it");
            }
            if (!done) {
                p.destroyForcibly();
                throw new CheckpointException(file, "refused: the native tokenizer did not finish tokenizing a few sample lines in "
                        + TIMEOUT_SECONDS + " s (a regex that backtracks without end?)");
            }
            // 0: loads and tokenizes; 3: refused with an ordinary error, which loading here reports in words.
            if (p.exitValue() != 0 && p.exitValue() != 3) {
                throw new CheckpointException(file, "refused: the native tokenizer crashed on it (exit " + p.exitValue()
                        + "): a malformed normalizer, pre-tokenizer or model section");
            }
            passed.put(key, Boolean.TRUE);
        } catch (IOException e) {
            throw new CheckpointException(file, "cannot check it in a separate process: " + io.moescope.files.IoProblems.describe(e), e);
        } finally {
            io.moescope.files.InFlightFiles.deleteQuietly(copy);
            io.moescope.files.InFlightFiles.deleteQuietly(errors);
        }
    }

    private static List<String> command(Path copy, Path errors) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx1g", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-XX:-CreateCoredumpOnCrash",
                "-XX:ErrorFile=" + errors.resolve("hs_err_%p.log"), "--enable-native-access=ALL-UNNAMED"));
        // Where DJL keeps its native library, if this process was told.
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (arg.startsWith("-Dai.djl") || arg.startsWith("-DDJL_") || arg.startsWith("-DENGINE_CACHE_DIR")) cmd.add(arg);
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), NativeProbe.class.getName(), copy.toString()));
        return cmd;
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The child: exit 0 when the file loads and tokenizes the samples, 3 on an ordinary error; a crash is the library's. */
    public static void main(String[] args) {
        if (System.getProperty("ai.djl.offline") == null) System.setProperty("ai.djl.offline", "true");
        try (HuggingFaceTokenizer t = HuggingFaceTokenizer.newInstance(new ByteArrayInputStream(Files.readAllBytes(Path.of(args[0]))),
                Map.of("addSpecialTokens", "true", "truncation", "false", "padding", "false"))) {
            for (String s : SAMPLES) {
                long[] ids = t.encode(s, true, false).getIds();
                t.decode(ids, false);
            }
        } catch (Exception e) {
            System.exit(3);
        }
        System.exit(0);
    }
}
