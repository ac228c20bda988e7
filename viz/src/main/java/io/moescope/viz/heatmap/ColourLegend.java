package io.moescope.viz.heatmap;

import io.moescope.report.heatmap.ColourScale;
import java.util.Locale;
import javafx.geometry.VPos;
import javafx.scene.canvas.Canvas;
import javafx.scene.canvas.GraphicsContext;
import javafx.scene.layout.Region;
import javafx.scene.paint.Color;
import javafx.scene.text.Font;
import javafx.scene.text.TextAlignment;

/** A vertical colour bar with the values of its ends and middle, for the current scale. */
public final class ColourLegend extends Region {
    private final Canvas canvas = new Canvas();
    private ColourScale scale = ColourScale.linear(0, 1);
    private String title = "";

    public ColourLegend() {
        getChildren().add(canvas);
        setMinWidth(70);
        setPrefWidth(80);
    }

    public void setScale(ColourScale scale, String title) {
        this.scale = scale;
        this.title = title;
        draw();
    }

    @Override
    protected void layoutChildren() {
        canvas.setWidth(getWidth());
        canvas.setHeight(getHeight());
        draw();
    }

    private void draw() {
        GraphicsContext g = canvas.getGraphicsContext2D();
        double w = canvas.getWidth(), h = canvas.getHeight();
        g.clearRect(0, 0, w, h);
        double top = 24, bottom = h - 10, barW = 16;
        if (bottom - top < 20) return;
        for (int y = (int) top; y < bottom; y++) {
            int argb = scale.argb(scale.valueAt(1 - (y - top) / (bottom - top)));
            g.setFill(Color.rgb((argb >> 16) & 0xff, (argb >> 8) & 0xff, argb & 0xff));
            g.fillRect(4, y, barW, 1);
        }
        g.setStroke(Color.GREY);
        g.strokeRect(4, top, barW, bottom - top);
        g.setFill(Color.web("#333"));
        g.setFont(Font.font(11));
        g.setTextAlign(TextAlignment.LEFT);
        g.setTextBaseline(VPos.CENTER);
        for (double f : new double[]{0, 0.5, 1}) {
            g.fillText(format(scale.valueAt(f)), barW + 8, bottom - f * (bottom - top));
        }
        g.setTextBaseline(VPos.TOP);
        g.fillText(title + (scale.kind() == ColourScale.Kind.LOG ? " (log)" : ""), 2, 2);
    }

    static String format(double v) {
        if (v != 0 && (Math.abs(v) < 1e-2 || Math.abs(v) >= 1e4)) return String.format(Locale.ROOT, "%.0e", v);
        return String.format(Locale.ROOT, "%.3g", v);
    }
}
