package io.moescope.report.export;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import org.apache.pdfbox.cos.COSName;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.PDResources;
import org.apache.pdfbox.pdmodel.font.PDFont;
import org.apache.pdfbox.pdmodel.font.PDType0Font;
import org.apache.pdfbox.pdmodel.graphics.PDXObject;
import org.apache.pdfbox.pdmodel.graphics.form.PDFormXObject;
import org.apache.pdfbox.pdmodel.graphics.image.PDImageXObject;

/** What pdffonts and pdfimages check, with PDFBox: every font embedded, no raster images anywhere. */
final class PdfStructure {
    private PdfStructure() {}

    static void assertVectorWithEmbeddedFonts(PDDocument d) throws IOException {
        int fonts = 0;
        for (PDPage page : d.getPages()) fonts += check(page.getResources(), 0);
        assertTrue(fonts > 0, "text is drawn in fonts");
    }

    /** Fonts counted in these resources and in those of the forms they hold (figures are forms). */
    private static int check(PDResources res, int depth) throws IOException {
        if (res == null || depth > 8) return 0;
        int fonts = 0;
        for (COSName name : res.getFontNames()) {
            PDFont f = res.getFont(name);
            boolean embedded = f instanceof PDType0Font t ? t.getDescendantFont().isEmbedded() : f.isEmbedded();
            assertTrue(embedded, f.getName() + " is embedded");
            fonts++;
        }
        for (COSName name : res.getXObjectNames()) {
            PDXObject x = res.getXObject(name);
            assertFalse(x instanceof PDImageXObject, "image XObject " + name.getName() + ": a figure was rasterised");
            if (x instanceof PDFormXObject form) fonts += check(form.getResources(), depth + 1);
        }
        return fonts;
    }
}
