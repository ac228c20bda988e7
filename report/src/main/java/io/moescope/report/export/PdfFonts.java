package io.moescope.report.export;

import de.rototor.pdfbox.graphics2d.PdfBoxGraphics2DFontTextDrawer;
import java.awt.Font;
import java.io.IOException;
import java.io.InputStream;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.font.PDFont;
import org.apache.pdfbox.pdmodel.font.PDType0Font;

/**
 * The fonts of one PDF: DejaVu Sans, Sans Bold and Sans Mono, bundled as resources (free Bitstream
 * Vera licence, see fonts/DejaVu-LICENSE.txt) and embedded as subsets, so that every PDF shows the
 * same glyphs on any reader and a journal's "all fonts embedded" check passes. Unlike the standard
 * 14 fonts they cover arrows, Greek and the byte-level marks, so no text is replaced by '?'.
 */
public record PdfFonts(PDFont regular, PDFont bold, PDFont mono) {

    public static PdfFonts load(PDDocument doc) throws IOException {
        return new PdfFonts(font(doc, "DejaVuSans.ttf"), font(doc, "DejaVuSans-Bold.ttf"), font(doc, "DejaVuSansMono.ttf"));
    }

    private static PDFont font(PDDocument doc, String name) throws IOException {
        try (InputStream in = PdfFonts.class.getResourceAsStream("/io/moescope/report/fonts/" + name)) {
            if (in == null) throw new IOException("font resource " + name + " is missing from the report module");
            return PDType0Font.load(doc, in, true);
        }
    }

    /** The embedded font standing in for an AWT font: monospaced families to Mono, bold to Bold. */
    public PDFont of(Font f) {
        String family = f.getFamily().toLowerCase(java.util.Locale.ROOT);
        if (family.contains("mono") || family.contains("courier")) return mono;
        return f.isBold() ? bold : regular;
    }

    /** Draws every AWT font's text as text in these embedded fonts (never as outlines or Helvetica). */
    public PdfBoxGraphics2DFontTextDrawer textDrawer() {
        return new PdfBoxGraphics2DFontTextDrawer() {
            @Override
            protected PDFont mapFont(Font font, IFontTextDrawerEnv env) {
                return of(font);
            }
        };
    }

}
