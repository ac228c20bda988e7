package io.moescope.report.export;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.PDPageContentStream;
import org.apache.pdfbox.pdmodel.common.PDRectangle;
import org.apache.pdfbox.pdmodel.font.PDFont;
import org.apache.pdfbox.pdmodel.graphics.form.PDFormXObject;

/**
 * A4 pages filled from the top: paragraphs wrapped to the text width, and blocks (figures) that
 * move to a new page when they do not fit in what is left of this one.
 */
final class PdfPages implements AutoCloseable {
    static final PDRectangle PAGE = PDRectangle.A4;
    static final float MARGIN = 56;
    static final float WIDTH = PAGE.getWidth() - 2 * MARGIN;
    static final float HEIGHT = PAGE.getHeight() - 2 * MARGIN;

    private final PDDocument doc;
    private PDPageContentStream cs;
    private float y;

    PdfPages(PDDocument doc) throws IOException {
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

    /** Room left on this page, in points. */
    float left() {
        return y - MARGIN;
    }

    void gap(float points) {
        y -= points;
    }

    /** A paragraph: an optional bold lead ("Figure 3:") then text, wrapped to the text width. */
    void paragraph(PDFont leadFont, String lead, PDFont font, float size, String text) throws IOException {
        float leadWidth = lead.isEmpty() ? 0 : width(leadFont, lead + " ", size);
        List<String> lines = wrap(font, size, text, WIDTH - leadWidth, WIDTH);
        for (int i = 0; i < lines.size(); i++) {
            float lineHeight = size * 1.3f;
            if (y - lineHeight < MARGIN) newPage();
            y -= lineHeight;
            cs.beginText();
            cs.newLineAtOffset(MARGIN, y);
            if (i == 0 && !lead.isEmpty()) {
                cs.setFont(leadFont, size);
                cs.showText(printable(leadFont, lead + " "));
            }
            cs.setFont(font, size);
            cs.showText(printable(font, lines.get(i)));
            cs.endText();
        }
    }

    /** A figure at its own size times {@code scale}, centred, on a new page if it does not fit here. */
    void figure(PDFormXObject form, float w, float h, float scale) throws IOException {
        if (h * scale > left()) newPage();
        y -= h * scale;
        VectorPdf.place(cs, form, MARGIN + (WIDTH - w * scale) / 2, y, scale);
    }

    static float width(PDFont font, String s, float size) throws IOException {
        return font.getStringWidth(printable(font, s)) / 1000 * size;
    }

    /** Words onto lines no wider than {@code first} (the first line) and {@code rest}; newlines kept. */
    static List<String> wrap(PDFont font, float size, String text, float first, float rest) throws IOException {
        List<String> out = new ArrayList<>();
        for (String para : text.replace("\t", "    ").split("\n", -1)) {
            StringBuilder line = new StringBuilder();
            for (String word : para.split(" ", -1)) {
                String candidate = line.isEmpty() ? word : line + " " + word;
                float max = out.isEmpty() ? first : rest;
                if (!line.isEmpty() && width(font, candidate, size) > max) {
                    out.add(line.toString());
                    line = new StringBuilder(word);
                } else {
                    line = new StringBuilder(candidate);
                }
            }
            out.add(line.toString());
        }
        return out;
    }

    /** The text with characters the font has no glyph for (control characters, rare scripts) as '?'. */
    static String printable(PDFont font, String s) {
        StringBuilder out = new StringBuilder(s.length());
        s.codePoints().forEach(cp -> {
            String ch = Character.toString(cp);
            try {
                font.encode(ch);
                out.append(ch);
            } catch (IOException | IllegalArgumentException e) {
                out.append('?');
            }
        });
        return out.toString();
    }

    @Override
    public void close() throws IOException {
        if (cs != null) cs.close();
        cs = null;
    }
}
