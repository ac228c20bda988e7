package io.moescope.report.export;

import io.moescope.files.AtomicFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.PDPageContentStream;
import org.apache.pdfbox.pdmodel.common.PDRectangle;
import org.apache.pdfbox.pdmodel.font.PDType1Font;
import org.apache.pdfbox.pdmodel.font.Standard14Fonts;
import org.apache.pdfbox.pdmodel.graphics.image.LosslessFactory;
import org.apache.pdfbox.pdmodel.graphics.image.PDImageXObject;

/**
 * The report as a PDF (PDFBox): a summary page, one figure per page with its caption, then the
 * tables as text. The standard Helvetica font is used so nothing is embedded; text it cannot
 * encode (arrows, byte-level marks) is replaced by '?'.
 */
public final class PdfReport {
    private PdfReport() {}

    private static final float MARGIN = 48;
    private static final PDRectangle PAGE = PDRectangle.A4;

    public static void write(ReportContent r, Path file) throws IOException {
        try (PDDocument doc = new PDDocument()) {
            PDType1Font regular = new PDType1Font(Standard14Fonts.FontName.HELVETICA);
            PDType1Font bold = new PDType1Font(Standard14Fonts.FontName.HELVETICA_BOLD);
            PDType1Font mono = new PDType1Font(Standard14Fonts.FontName.COURIER);
            TextPages text = new TextPages(doc, regular);
            text.line(bold, 18, r.title());
            text.gap(8);
            for (String s : r.summary()) for (String line : wrap(s, 95)) text.line(regular, 10, line);
            for (ReportContent.Figure f : r.figures()) figure(doc, f, bold, regular);
            text.newPage();
            for (ReportContent.Table t : r.tables()) {
                text.gap(10);
                text.line(bold, 12, t.caption());
                text.line(mono, 8, row(t.header()));
                for (List<String> row : t.rows()) text.line(mono, 8, row(row));
            }
            text.close();
            AtomicFiles.write(file, doc::save);
        }
    }

    private static void figure(PDDocument doc, ReportContent.Figure f, PDType1Font bold, PDType1Font regular) throws IOException {
        PDPage page = new PDPage(PAGE);
        doc.addPage(page);
        PDImageXObject img = LosslessFactory.createFromImage(doc, f.drawing().image(Drawing.REPORT_SCALE));
        float maxW = PAGE.getWidth() - 2 * MARGIN, maxH = PAGE.getHeight() - 2 * MARGIN - 40;
        float s = Math.min(maxW / img.getWidth(), maxH / img.getHeight());
        float w = img.getWidth() * s, h = img.getHeight() * s;
        try (PDPageContentStream cs = new PDPageContentStream(doc, page)) {
            cs.beginText();
            cs.setFont(bold, 12);
            cs.newLineAtOffset(MARGIN, PAGE.getHeight() - MARGIN);
            cs.showText(safe(f.caption(), bold));
            cs.endText();
            cs.drawImage(img, MARGIN, PAGE.getHeight() - MARGIN - 16 - h, w, h);
        }
    }

    /** Columns padded to a fixed width, for the monospaced table rows. */
    private static String row(List<String> cells) {
        StringBuilder s = new StringBuilder();
        for (String c : cells) {
            String x = c.length() > 16 ? c.substring(0, 15) + "~" : c;
            s.append(String.format("%-17s", x));
        }
        return s.toString();
    }

    static List<String> wrap(String s, int width) {
        List<String> out = new ArrayList<>();
        while (s.length() > width) {
            int cut = s.lastIndexOf(' ', width);
            if (cut <= 0) cut = width;
            out.add(s.substring(0, cut));
            s = s.substring(cut).stripLeading();
        }
        out.add(s);
        return out;
    }

    /** Helvetica/Courier carry WinAnsi only; anything else becomes '?'. */
    static String safe(String s, PDType1Font font) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            String ch = String.valueOf(s.charAt(i));
            try {
                font.encode(ch);
                out.append(ch);
            } catch (IOException | IllegalArgumentException e) {
                out.append('?');
            }
        }
        return out.toString();
    }

    /** Lines of text that flow onto new pages as they fill. */
    private static final class TextPages {
        private final PDDocument doc;
        private PDPageContentStream cs;
        private float y;

        TextPages(PDDocument doc, PDType1Font font) throws IOException {
            this.doc = doc;
            newPage();
        }

        void newPage() throws IOException {
            close();
            PDPage page = new PDPage(PAGE);
            doc.addPage(page);
            cs = new PDPageContentStream(doc, page);
            y = PAGE.getHeight() - MARGIN;
        }

        void gap(float points) {
            y -= points;
        }

        void line(PDType1Font font, float size, String text) throws IOException {
            if (y - size < MARGIN) newPage();
            y -= size * 1.35f;
            cs.beginText();
            cs.setFont(font, size);
            cs.newLineAtOffset(MARGIN, y);
            cs.showText(safe(text, font));
            cs.endText();
        }

        void close() throws IOException {
            if (cs != null) cs.close();
            cs = null;
        }
    }
}
