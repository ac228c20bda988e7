package io.moescope.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.pdfbox.Loader;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.text.PDFTextStripper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `moescope sweep` on the bundled sample model: a report with the sweep's table, or one line and exit 2. */
class SweepCommandTest {
    private static final String MODEL = Path.of("..", "sample-models", "kjv-deepseek-v3").toAbsolutePath().normalize().toString();
    private static final String TEXT = "In the beginning God created the heaven and the earth. And the earth was without form, "
            + "and void; and darkness was upon the face of the deep. And the Spirit of God moved upon the face of the waters.";

    private static Path text(Path dir) throws Exception {
        Path f = dir.resolve("text.txt");
        Files.writeString(f, TEXT, StandardCharsets.UTF_8);
        return f;
    }

    @Test
    void htmlHasTheSweepTableWithOneRowPerValue(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("sweep.html");
        Cli r = Cli.run("sweep", "--model", MODEL, "--text", text(dir).toString(), "--what", "topk", "--values", "1,2",
                "--chunk", "16", "--out", out.toString(), "--backend", "java", "--json");
        assertEquals(0, r.exitCode(), r::toString);
        assertTrue(r.out().contains("wrote " + out), r.out());
        assertTrue(r.err().contains("swept 2 values"), "progress and a summary on stderr: " + r.err());
        String html = Files.readString(out, StandardCharsets.UTF_8);
        assertTrue(html.contains("<caption>Sweep over experts per token (k)"), "the sweep table");
        int rows = html.split("<td>k=", -1).length - 1;
        assertEquals(2, rows, "one table row per value");
        assertTrue(html.split("src=\"data:image/png;base64,", -1).length - 1 >= 7, "a chart per measure");
        // --json: the same numbers on stdout, before the "wrote" line
        String json = r.out().substring(0, r.out().indexOf("wrote "));
        JsonNode n = new ObjectMapper().readTree(json);
        assertEquals("topk", n.get("what").asText());
        assertEquals(2, n.get("points").size());
        assertEquals(1.0, n.get("points").get(0).get("value").asDouble());
        double agreement = n.get("points").get(1).get("metrics").get("top1_agreement").asDouble();
        assertTrue(agreement > 0 && agreement <= 1, "top-1 agreement is a fraction: " + agreement);
        try (var files = Files.list(dir)) {
            assertEquals(2, files.count(), "the text and the report, no temp file");
        }
    }

    @Test
    void pdfOfAPrecisionSweep(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("sweep.pdf");
        Cli r = Cli.run("sweep", "--model", MODEL, "--text", text(dir).toString(), "--what", "precision", "--values", "bf16,int8",
                "--chunk", "16", "--out", out.toString(), "--backend", "java");
        assertEquals(0, r.exitCode(), r::toString);
        try (PDDocument d = Loader.loadPDF(out.toFile())) {
            String s = new PDFTextStripper().getText(d);
            assertTrue(s.contains("Sweep over weight format"), s);
            assertTrue(s.contains("bf16") && s.contains("int8"), s);
        }
    }

    @Test
    void badInputIsOneLineAndExitCode2(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("sweep.html");
        String t = text(dir).toString();
        Path empty = dir.resolve("empty.txt");
        Files.writeString(empty, "  \n");
        String[][] cases = {
                {"--text", dir.resolve("missing.txt").toString(), "--what", "topk"},
                {"--text", t, "--what", "depth"},
                {"--text", t, "--what", "topk", "--values", "1,two"},
                {"--text", t, "--what", "window", "--values", "2.5"},
                {"--text", t, "--what", "precision", "--values", "fp7"},
                {"--text", empty.toString(), "--what", "topk"},
                {"--text", t, "--what", "topk", "--chunk", "1"},
        };
        String[] expect = {"missing.txt: file does not exist", "unknown sweep 'depth'", "--values: 'two' is not a number",
                "--values: window takes whole numbers", "--values: unknown number format 'fp7'", "empty.txt: the text is empty",
                "--chunk must be at least 2"};
        for (int i = 0; i < cases.length; i++) {
            String[] args = new String[cases[i].length + 6];
            args[0] = "sweep";
            args[1] = "--model";
            args[2] = MODEL;
            System.arraycopy(cases[i], 0, args, 3, cases[i].length);
            args[args.length - 3] = "--out";
            args[args.length - 2] = out.toString();
            args[args.length - 1] = "--backend=java";
            Cli r = Cli.run(args);
            assertEquals(2, r.exitCode(), r::toString);
            assertEquals(1, r.errLines().length, r::toString);
            assertTrue(r.err().contains(expect[i]), "case " + i + ": " + r.err());
        }
        Cli noModel = Cli.run("sweep", "--model", dir.resolve("nope").toString(), "--text", t, "--what", "topk", "--out", out.toString());
        assertEquals(2, noModel.exitCode(), noModel::toString);
        assertTrue(noModel.err().contains("model folder does not exist"), noModel.err());
        Cli noFolder = Cli.run("sweep", "--model", MODEL, "--text", t, "--what", "topk", "--out", dir.resolve("no/x.html").toString());
        assertEquals(2, noFolder.exitCode(), noFolder::toString);
        assertFalse(Files.exists(out));
    }
}
