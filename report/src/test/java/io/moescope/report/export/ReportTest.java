package io.moescope.report.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.moescope.analysis.Analysis;
import io.moescope.analysis.LoadedModel;
import io.moescope.report.chart.LoadChart;
import io.moescope.report.chart.SankeyChart;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import javax.imageio.ImageIO;
import javax.xml.parsers.DocumentBuilderFactory;
import org.apache.pdfbox.Loader;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.text.PDFTextStripper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reports and SVG charts are drawn with AWT and need no display: these run everywhere. */
class ReportTest {
    private static LoadedModel model;
    private static Analysis analysis;

    @BeforeAll
    static void analyse() {
        model = LoadedModel.open(Path.of("..", "sample-models", "kjv-deepseek-v3"), "java");
        analysis = model.analyse("In the beginning God created the heaven and the earth.");
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @Test
    void htmlEmbedsEveryFigureAndTheNumbers(@TempDir Path dir) throws Exception {
        Path html = dir.resolve("report.html");
        Reports.write(analysis, model.dir(), "java", html);
        String s = Files.readString(html, StandardCharsets.UTF_8);
        ReportContent r = ReportBuilder.build(analysis, model.dir(), "java");
        int images = s.split("src=\"data:image/png;base64,", -1).length - 1;
        assertEquals(r.figures().size(), images);
        assertTrue(images >= 7, "attention per layer, entropy, load bars and heatmap, routing grid, co-activation, Sankey, router entropy");
        String b64 = s.substring(s.indexOf("base64,") + 7, s.indexOf('"', s.indexOf("base64,")));
        assertNotNull(ImageIO.read(new ByteArrayInputStream(Base64.getDecoder().decode(b64))));
        int start = s.indexOf("id=\"moescope-data\">");
        String json = s.substring(start + "id=\"moescope-data\">".length(), s.indexOf("</script>", start));
        var j = new com.fasterxml.jackson.databind.ObjectMapper().readTree(json);
        assertEquals(analysis.tokenCount(), j.get("ids").size());
        assertTrue(s.contains("<table>"));
        assertFalse(s.contains("<script>"), "no executable script");
    }

    private static void assertFalse(boolean b, String m) {
        assertTrue(!b, m);
    }

    @Test
    void pdfStartsWithTheSummaryThenNumberedVectorFigures(@TempDir Path dir) throws Exception {
        Path pdf = dir.resolve("report.pdf");
        Reports.write(analysis, model.dir(), "java", pdf);
        try (PDDocument d = Loader.loadPDF(pdf.toFile())) {
            int figures = ReportBuilder.build(analysis, model.dir(), "java").figures().size();
            PDFTextStripper firstPage = new PDFTextStripper();
            firstPage.setEndPage(1);
            String summary = firstPage.getText(d);
            assertTrue(summary.contains("In the beginning God created the heaven and the earth."), "the prompt as text: " + summary);
            assertTrue(summary.contains("held_out_loss 4.1704"), "the model card");
            assertTrue(summary.contains("Backend: java") && summary.contains("Next-token loss:"), summary);
            String text = new PDFTextStripper().getText(d);
            int at = -1;
            for (int n = 1; n <= figures; n++) {
                int next = text.indexOf("Figure " + n + ":");
                assertTrue(next > at, "caption " + n + " present and after caption " + (n - 1));
                at = next;
            }
            assertFalse(text.contains("Figure " + (figures + 1) + ":"), "one caption per figure");
            assertTrue(text.contains("on \"In the beginning God created the"), "captions name the input");
            assertTrue(d.getNumberOfPages() <= 2 + (figures + 1) / 2 + 2, "two figures to a page where they fit: " + d.getNumberOfPages());
            assertTrue(text.contains("Expert load balance per MoE layer"), "tables as text");
            PdfStructure.assertVectorWithEmbeddedFonts(d);
        }
    }

    @Test
    void everyFigureDrawsAsVectorsToo() throws Exception {
        ReportContent r = ReportBuilder.build(analysis, model.dir(), "java");
        for (ReportContent.Figure f : r.figures()) {
            String svg = f.drawing().svg();
            var doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(new java.io.ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
            assertEquals("svg", doc.getDocumentElement().getTagName(), f.name());
        }
        String heatmap = r.figures().stream().filter(f -> f.name().equals("attention-layer-0")).findFirst().orElseThrow().drawing().svg();
        assertTrue(heatmap.contains(">attention, layer 0, mean of "), "the title as text, not pixels");
    }

    @Test
    void aChartExportsAsAOnePageVectorPdf() throws Exception {
        byte[] bytes = VectorPdf.bytes(Drawing.of(LoadChart.of(analysis.load(), "tokens per expert"), 400, 250));
        try (PDDocument d = Loader.loadPDF(bytes)) {
            assertEquals(1, d.getNumberOfPages());
            assertEquals(400, d.getPage(0).getMediaBox().getWidth(), 0.01);
            assertTrue(new PDFTextStripper().getText(d).contains("tokens per expert"), "the title as text");
            PdfStructure.assertVectorWithEmbeddedFonts(d);
        }
    }

    @Test
    void chartsExportAsSvg(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("load.svg");
        SvgExport.write(LoadChart.of(analysis.load(), "tokens per expert"), 800, 500, f);
        var doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(f.toFile());
        assertEquals("svg", doc.getDocumentElement().getTagName());
        String sankey = SvgExport.svg(SankeyChart.of(analysis.flows(), "flow"), 800, 500);
        assertTrue(sankey.startsWith("<svg") || sankey.contains("<svg "), sankey.substring(0, 80));
    }
}
