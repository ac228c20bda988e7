package io.moescope.report.export;

import de.rototor.pdfbox.graphics2d.PdfBoxGraphics2D;
import io.moescope.files.AtomicFiles;
import java.io.IOException;
import java.nio.file.Path;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.PDPageContentStream;
import org.apache.pdfbox.pdmodel.common.PDRectangle;
import org.apache.pdfbox.pdmodel.graphics.form.PDFormXObject;
import org.apache.pdfbox.util.Matrix;

/**
 * A {@link Drawing} as PDF vectors: the same painter that makes PNG and SVG draws into a PDF
 * Graphics2D (pdfbox-graphics2d), so lines stay lines and text stays text in embedded fonts.
 */
public final class VectorPdf {
    private VectorPdf() {}

    /** The drawing as a form XObject of {@code width} x {@code height} points, to place on a page. */
    public static PDFormXObject form(PDDocument doc, PdfFonts fonts, Drawing d) throws IOException {
        PdfBoxGraphics2D g = new PdfBoxGraphics2D(doc, (float) d.width(), (float) d.height());
        g.setFontTextDrawer(fonts.textDrawer());
        try {
            d.painter().accept(g);
        } finally {
            g.dispose();
        }
        return g.getXFormObject();
    }

    /** Places the form with its lower-left corner at (x, y), scaled by {@code scale}. */
    public static void place(PDPageContentStream cs, PDFormXObject form, float x, float y, float scale) throws IOException {
        cs.saveGraphicsState();
        cs.transform(new Matrix(scale, 0, 0, scale, x, y));
        cs.drawForm(form);
        cs.restoreGraphicsState();
    }

    /** A one-page PDF exactly the drawing's size (points), for including in a paper. */
    public static byte[] bytes(Drawing d) throws IOException {
        try (PDDocument doc = new PDDocument()) {
            PDPage page = new PDPage(new PDRectangle(d.width(), d.height()));
            doc.addPage(page);
            PDFormXObject form = form(doc, PdfFonts.load(doc), d);
            try (PDPageContentStream cs = new PDPageContentStream(doc, page)) {
                place(cs, form, 0, 0, 1);
            }
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            doc.save(out);
            return out.toByteArray();
        }
    }

    public static void write(Drawing d, Path file) throws IOException {
        AtomicFiles.write(file, bytes(d));
    }
}
