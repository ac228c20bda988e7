package io.moescope.report.export;

import io.moescope.files.AtomicFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.graphics.form.PDFormXObject;

/**
 * The report as a PDF for a paper's supplement: a summary page (model, card, prompt, backend,
 * precision, main numbers), then the figures as vectors with numbered captions, two to a page where
 * they fit, then the tables. All text, in the figures too, is in embedded DejaVu fonts.
 */
public final class PdfReport {
    private PdfReport() {}

    /** Figures are never enlarged, so their text keeps the print size it was drawn at. */
    private static final float MAX_SCALE = 1;

    public static void write(ReportContent r, Path file) throws IOException {
        try (PDDocument doc = new PDDocument()) {
            PdfFonts fonts = PdfFonts.load(doc);
            try (PdfPages pages = new PdfPages(doc)) {
                pages.paragraph(fonts.bold(), "", fonts.bold(), 16, r.title());
                pages.gap(8);
                for (String s : r.summary()) {
                    int colon = s.indexOf(": ");
                    if (colon > 0 && colon < 40) pages.paragraph(fonts.bold(), s.substring(0, colon + 1), fonts.regular(), 10, s.substring(colon + 2));
                    else pages.paragraph(fonts.bold(), "", fonts.regular(), 10, s);
                    pages.gap(3);
                }
                int n = 0;
                for (ReportContent.Figure f : r.figures()) figure(pages, doc, fonts, f, ++n);
                pages.newPage();
                for (ReportContent.Table t : r.tables()) {
                    pages.gap(10);
                    pages.paragraph(fonts.bold(), "", fonts.bold(), 11, t.caption());
                    pages.paragraph(fonts.mono(), "", fonts.mono(), 7, row(t.header()));
                    for (List<String> row : t.rows()) pages.paragraph(fonts.mono(), "", fonts.mono(), 7, row(row));
                }
            }
            AtomicFiles.write(file, doc::save);
        }
    }

    /** The figure scaled to fit the text width and half the text height, then its caption below. */
    private static void figure(PdfPages pages, PDDocument doc, PdfFonts fonts, ReportContent.Figure f, int number) throws IOException {
        PDFormXObject form = VectorPdf.form(doc, fonts, f.drawing());
        float w = f.drawing().width(), h = f.drawing().height();
        float captionRoom = 40;
        float scale = Math.min(MAX_SCALE, Math.min(PdfPages.WIDTH / w, (PdfPages.HEIGHT / 2 - captionRoom - 16) / h));
        if (h * scale + captionRoom > pages.left()) pages.newPage();
        else pages.gap(16);
        pages.figure(form, w, h, scale);
        pages.gap(6);
        pages.paragraph(fonts.bold(), caption(number), fonts.regular(), 9, f.caption());
    }

    /** "Figure 3:", the numbering readers cite. */
    static String caption(int number) {
        return "Figure " + number + ":";
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
}
