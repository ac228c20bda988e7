package io.moescope.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.moescope.testing.Conformance;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.pdfbox.Loader;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `moescope report` needs no display: it runs in every environment. */
class ReportCommandTest {
    private static final String MODEL = Conformance.dir().resolve("deepseekv3-a").toString();

    @Test
    void html(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("report.html");
        Cli r = Cli.run("report", "--model", MODEL, "--text", "In the beginning", "--out", out.toString(), "--backend", "java");
        assertEquals(0, r.exitCode(), r::toString);
        assertTrue(r.out().contains("wrote "), r.out());
        String html = Files.readString(out, StandardCharsets.UTF_8);
        assertTrue(html.contains("data:image/png;base64,"));
        assertTrue(html.contains("id=\"moescope-data\""));
        assertTrue(html.contains("deepseek_v3"));
    }

    @Test
    void pdf(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("report.pdf");
        Cli r = Cli.run("report", "--model", MODEL, "--text", "5, 17, 42", "--out", out.toString(), "--backend", "java");
        assertEquals(0, r.exitCode(), r::toString);
        try (PDDocument d = Loader.loadPDF(out.toFile())) {
            assertTrue(d.getNumberOfPages() > 0);
        }
    }

    @Test
    void badInputIsExitCode2AndWritesNothing(@TempDir Path dir) {
        Path out = dir.resolve("report.html");
        Cli r = Cli.run("report", "--model", dir.resolve("nope").toString(), "--text", "x", "--out", out.toString());
        assertEquals(2, r.exitCode(), r::toString);
        assertEquals(1, r.errLines().length, r::toString);
        assertFalse(Files.exists(out));
        Cli missingFolder = Cli.run("report", "--model", MODEL, "--text", "x", "--out", dir.resolve("no/report.html").toString());
        assertEquals(2, missingFolder.exitCode(), missingFolder::toString);
        Cli outOfVocabulary = Cli.run("report", "--model", MODEL, "--text", "99999", "--out", out.toString(), "--backend", "java");
        assertEquals(2, outOfVocabulary.exitCode(), outOfVocabulary::toString);
        assertFalse(Files.exists(out));
    }
}
