package io.moescope.report.export;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.geom.Line2D;
import java.awt.image.BufferedImage;
import java.util.List;

/**
 * The prompt as it reads, with a thin rule at each token boundary and the token's position in
 * small type below it: spaces stay spaces (no middle dots), so the text can be quoted from the page.
 */
public final class TokenStrip {
    private TokenStrip() {}

    private static final Font TEXT = new Font(Font.SANS_SERIF, Font.PLAIN, 10);
    private static final Font INDEX = new Font(Font.SANS_SERIF, Font.PLAIN, 6);
    private static final float LINE = 26;

    /** Tokens as text (a leading space is a space), wrapped onto lines {@code width} points wide. */
    public static Drawing drawing(List<String> tokens, int width) {
        FontMetrics fm = metrics();
        int lines = 1;
        float x = 4;
        for (String t : tokens) {
            float w = fm.stringWidth(t) + 4;
            if (x + w > width - 4 && x > 4) {
                lines++;
                x = 4;
            }
            x += w;
        }
        int height = Math.round(lines * LINE + 6);
        return new Drawing(width, height, g -> paint(g, tokens, width, height));
    }

    private static void paint(Graphics2D g, List<String> tokens, int width, int height) {
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);
        g.setFont(TEXT);
        FontMetrics fm = g.getFontMetrics();
        float x = 4, y = 4;
        g.setStroke(new BasicStroke(0.4f));
        for (int i = 0; i < tokens.size(); i++) {
            String t = tokens.get(i);
            float w = fm.stringWidth(t) + 4;
            if (x + w > width - 4 && x > 4) {
                x = 4;
                y += LINE;
            }
            g.setColor(Color.GRAY);
            g.draw(new Line2D.Float(x, y, x, y + 18));
            g.setColor(Color.BLACK);
            g.setFont(TEXT);
            g.drawString(t, x + 2, y + 11);
            g.setColor(Color.GRAY);
            g.setFont(INDEX);
            g.drawString(Integer.toString(i), x + 2, y + 19);
            g.setFont(TEXT);
            x += w;
            if (i == tokens.size() - 1) g.draw(new Line2D.Float(x, y, x, y + 18));
        }
    }

    private static FontMetrics metrics() {
        Graphics2D g = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB).createGraphics();
        try {
            return g.getFontMetrics(TEXT);
        } finally {
            g.dispose();
        }
    }

    /**
     * A token as the text it stands for: byte-level BPE's 'Ġ', 'Ċ', 'ĉ' and the display marks of
     * {@link io.moescope.analysis.TokenText} ('·', '⏎', '⇥') back to a space, a newline and a tab.
     */
    public static String plain(String token) {
        return token.replace('Ġ', ' ').replace('·', ' ').replace('Ċ', '\n').replace('⏎', '\n').replace('ĉ', '\t').replace('⇥', '\t');
    }
}
