package io.moescope.viz.widget;

import java.util.List;
import java.util.function.IntConsumer;
import java.util.function.IntFunction;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.geometry.Point2D;
import javafx.geometry.VPos;
import javafx.scene.canvas.Canvas;
import javafx.scene.canvas.GraphicsContext;
import javafx.scene.control.Tooltip;
import javafx.scene.input.MouseEvent;
import javafx.scene.layout.Region;
import javafx.scene.paint.Color;
import javafx.scene.text.Font;
import javafx.scene.text.Text;
import javafx.scene.text.TextAlignment;
import javafx.util.Duration;

/**
 * Tokens as chips that wrap like text, painted on one canvas. A node per token (a Label each) costs
 * CSS and layout work on the FX thread for every analysis, hundreds of times over; painting them
 * costs a few draw calls. Hovering describes the chip under the mouse (also as a tooltip), a click
 * reports its index, and one chip can be marked as selected.
 */
public final class ChipFlow extends Region {
    private static final double GAP = 3, PAD_X = 4, LINE_GAP = 4;
    private static final Color SELECTED = Color.web("#ff2d55");

    private final Canvas canvas = new Canvas();
    private final Tooltip tooltip = new Tooltip();
    private final ReadOnlyStringWrapper hoverText = new ReadOnlyStringWrapper(this, "hoverText", "");
    private List<String> texts = List.of();
    private IntFunction<Color> fill = i -> Color.web("#eef2f8");
    private IntFunction<Color> border = i -> Color.web("#b8c4d6");
    private IntFunction<String> describe = i -> "";
    private IntConsumer onClick = i -> { };
    private Font font = Font.font("monospace", 12);
    private double charWidth, lineHeight;
    private double[] x = new double[0], y = new double[0], w = new double[0];
    private int selected = -1;
    private double laidOutWidth = -1;
    private boolean dirty = true;

    public ChipFlow() {
        getChildren().add(canvas);
        measure();
        tooltip.setShowDelay(Duration.millis(100));
        tooltip.textProperty().bind(hoverText);
        Tooltip.install(canvas, tooltip);
        canvas.addEventHandler(MouseEvent.MOUSE_MOVED, e -> {
            int i = chipAt(e.getX(), e.getY());
            hoverText.set(i < 0 ? "" : describe.apply(i));
        });
        canvas.addEventHandler(MouseEvent.MOUSE_CLICKED, e -> {
            int i = chipAt(e.getX(), e.getY());
            if (i >= 0) onClick.accept(i);
        });
    }

    /** The chips' texts and how each is coloured and described. FX thread only. */
    public void setChips(List<String> texts, IntFunction<Color> fill, IntFunction<Color> border, IntFunction<String> describe) {
        this.texts = List.copyOf(texts);
        this.fill = fill;
        this.border = border;
        this.describe = describe;
        this.selected = -1;
        laidOutWidth = -1;
        place(getWidth());
        repaint();
    }

    /**
     * Paints in the next layout pass, once, however many changes came before it. Every paint is a
     * list of commands the render thread replays in software (a few hundred rectangles and
     * strings for a long prompt), so painting twice per change, or again when nothing changed,
     * held the FX thread up waiting for the renderer.
     */
    private void repaint() {
        dirty = true;
        requestLayout();
    }

    public void setOnChipClicked(IntConsumer onClick) {
        this.onClick = onClick;
    }

    public void setFontSize(double size) {
        font = Font.font("monospace", size);
        measure();
        laidOutWidth = -1;
        repaint();
    }

    public void select(int i) {
        if (i == selected) return;
        selected = i;
        repaint();
    }

    public int selected() {
        return selected;
    }

    public int size() {
        return texts.size();
    }

    public ReadOnlyStringProperty hoverTextProperty() {
        return hoverText.getReadOnlyProperty();
    }

    /** What hovering chip i says. */
    public String describe(int i) {
        return describe.apply(i);
    }

    /** The middle of chip i, in this region's coordinates (for tests that move the mouse there). */
    public Point2D chipCentre(int i) {
        return new Point2D(x[i] + w[i] / 2, y[i] + lineHeight / 2);
    }

    private void measure() {
        Text t = new Text("MMMMMMMMMM");
        t.setFont(font);
        charWidth = t.getLayoutBounds().getWidth() / 10;
        lineHeight = Math.ceil(t.getLayoutBounds().getHeight()) + 2;
    }

    /** Positions the chips in lines as wide as the region. */
    private double place(double width) {
        int n = texts.size();
        x = new double[n];
        y = new double[n];
        w = new double[n];
        double cx = 0, cy = 0, max = Math.max(50, width);
        for (int i = 0; i < n; i++) {
            w[i] = texts.get(i).length() * charWidth + 2 * PAD_X;
            if (cx > 0 && cx + w[i] > max) {
                cx = 0;
                cy += lineHeight + LINE_GAP;
            }
            x[i] = cx;
            y[i] = cy;
            cx += w[i] + GAP;
        }
        laidOutWidth = width;
        return n == 0 ? 0 : cy + lineHeight + 2;
    }

    @Override
    protected double computePrefHeight(double width) {
        double wdt = width > 0 ? width : getWidth();
        return Math.max(lineHeight + 2, place(wdt));
    }

    /** The height depends on the width, as with wrapped text. */
    @Override
    public javafx.geometry.Orientation getContentBias() {
        return javafx.geometry.Orientation.HORIZONTAL;
    }

    @Override
    protected double computePrefWidth(double height) {
        return 400;
    }

    @Override
    protected void layoutChildren() {
        if (getWidth() != laidOutWidth) {
            place(getWidth());
            dirty = true;
        }
        if (canvas.getWidth() != getWidth() || canvas.getHeight() != getHeight()) {
            canvas.setWidth(getWidth());
            canvas.setHeight(getHeight());
            dirty = true;
        }
        if (dirty) paint();
    }

    private void paint() {
        dirty = false;
        GraphicsContext g = canvas.getGraphicsContext2D();
        g.clearRect(0, 0, canvas.getWidth(), canvas.getHeight());
        g.setFont(font);
        g.setTextBaseline(VPos.CENTER);
        g.setTextAlign(TextAlignment.LEFT);
        // Square chips on whole pixels: the software renderer fills such rectangles directly, where
        // rounded ones went through its anti-aliasing rasteriser twice a chip (fill and outline),
        // which for a prompt of 256 tokens kept the render thread, and the FX thread waiting on it, ~15 ms a frame.
        double h = Math.round(lineHeight);
        for (int i = 0; i < texts.size() && i < x.length; i++) {
            double cx = Math.round(x[i]), cy = Math.round(y[i]), cw = Math.round(w[i]);
            Color inside = fill.apply(i);
            boolean sel = i == selected;
            Color edge = sel ? SELECTED : border.apply(i);
            double b = edge.equals(inside) ? 0 : sel ? 2 : 1;   // an outline in the chip's own colour shows nothing
            if (b > 0) {
                g.setFill(edge);
                g.fillRect(cx, cy, cw, h);
            }
            g.setFill(inside);
            g.fillRect(cx + b, cy + b, cw - 2 * b, h - 2 * b);
            g.setFill(textColour(inside));
            g.fillText(texts.get(i), x[i] + PAD_X, y[i] + lineHeight / 2);
        }
    }

    /** Black or white, whichever reads better on the chip's colour. */
    private static Color textColour(Color f) {
        return 0.299 * f.getRed() + 0.587 * f.getGreen() + 0.114 * f.getBlue() > 0.6 ? Color.BLACK : Color.WHITE;
    }

    private int chipAt(double px, double py) {
        for (int i = 0; i < x.length; i++) {
            if (px >= x[i] && px < x[i] + w[i] && py >= y[i] && py < y[i] + lineHeight) return i;
        }
        return -1;
    }
}
