package io.moescope.viz.view;

import io.moescope.analysis.Analysis;
import io.moescope.report.heatmap.ColourScale;
import io.moescope.report.heatmap.HeatmapRaster;
import io.moescope.viz.state.Selection;
import java.util.Locale;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.control.Label;
import javafx.scene.control.Tooltip;
import javafx.scene.image.ImageView;
import javafx.scene.image.PixelFormat;
import javafx.scene.image.WritableImage;
import javafx.scene.layout.Border;
import javafx.scene.layout.BorderStroke;
import javafx.scene.layout.BorderStrokeStyle;
import javafx.scene.layout.BorderWidths;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import javafx.scene.paint.Color;

/**
 * Small multiples: one thumbnail per layer and head, resampled (block maximum) to 64 x 64 pixels,
 * with the head's entropy. A click selects that layer and head in the shared selection. The cells
 * are built once per model shape and then only repainted, so a new prompt creates no nodes.
 */
final class AttentionGrid {
    /** Thumbnail side in pixels; the map is resampled to exactly this, so no scaling (or blurring) happens on screen. */
    private static final int SIDE = 64;
    private static final Border SELECTED = new Border(new BorderStroke(Color.web("#ff2d55"), BorderStrokeStyle.SOLID, null, new BorderWidths(2)));
    /** Unselected cells have no border, only the room for one: a transparent stroke still costs a software renderer its shape. */
    private static final Insets PADDED = new Insets(4), INSIDE_BORDER = new Insets(2);

    private final Selection sel;
    private final GridPane grid = new GridPane();
    /** One tooltip for all thumbnails: a tooltip is a popup window, too heavy to make one per head. */
    private final Tooltip tooltip = new Tooltip();
    private VBox[][] cells = new VBox[0][0];
    private WritableImage[][] images = new WritableImage[0][0];
    private Label[][] captions = new Label[0][0];
    private String[][] tips = new String[0][0];

    AttentionGrid(Selection sel) {
        this.sel = sel;
        grid.setHgap(4);
        grid.setVgap(4);
        grid.setPadding(new Insets(2));
    }

    Node node() {
        return grid;
    }

    void setPresenter(boolean on) {
        grid.setStyle("-fx-font-size: " + (on ? 15 : 11) + "px;");
    }

    void show(Analysis a) {
        if (!sameShape(a)) build(a);
        int T = a.tokenCount();
        int[] argb = new int[SIDE * SIDE];
        ColourScale scale = ColourScale.log(ColourScale.LOG_FLOOR, 1);
        for (int l = 0; l < a.layers(); l++) {
            float[] all = a.forward().attention().get(l);
            for (int h = 0; h < a.heads(l); h++) {
                float[] small = all == null ? new float[SIDE * SIDE] : HeatmapRaster.resampleMax(all, h * T * T, T, T, SIDE, SIDE);
                HeatmapRaster.fill(small, SIDE, SIDE, scale, argb);
                images[l][h].getPixelWriter().setPixels(0, 0, SIDE, SIDE, PixelFormat.getIntArgbInstance(), argb, 0, SIDE);
                double e = a.attention().entropy(l, h);
                captions[l][h].setText(String.format(Locale.ROOT, "%.2f", e));
                tips[l][h] = String.format(Locale.ROOT, "layer %d head %d: entropy %.3f nats", l, h, e);
            }
        }
    }

    private boolean sameShape(Analysis a) {
        if (cells.length != a.layers()) return false;
        for (int l = 0; l < cells.length; l++) if (cells[l].length != a.heads(l)) return false;
        return true;
    }

    private void build(Analysis a) {
        grid.getChildren().clear();
        int L = a.layers();
        cells = new VBox[L][];
        images = new WritableImage[L][];
        captions = new Label[L][];
        tips = new String[L][];
        for (int l = 0; l < L; l++) {
            int H = a.heads(l);
            cells[l] = new VBox[H];
            images[l] = new WritableImage[H];
            captions[l] = new Label[H];
            tips[l] = new String[H];
            Label layerLabel = new Label("L" + l);
            layerLabel.setMinWidth(Region.USE_PREF_SIZE);
            grid.add(layerLabel, 0, l + 1);
            for (int h = 0; h < H; h++) {
                if (l == 0) grid.add(new Label("H" + h), h + 1, 0);
                images[l][h] = new WritableImage(SIDE, SIDE);
                captions[l][h] = new Label();
                VBox cell = new VBox(1, new ImageView(images[l][h]), captions[l][h]);
                cell.setAlignment(Pos.CENTER);
                cell.setPadding(PADDED);
                cell.setId("head-" + l + "-" + h);
                Tooltip.install(cell, tooltip);
                int layer = l, head = h;
                cell.setOnMouseEntered(ev -> tooltip.setText(tips[layer][head]));
                cell.setOnMouseClicked(ev -> {
                    sel.layer.set(layer);
                    sel.head.set(head);
                });
                cells[l][h] = cell;
                grid.add(cell, h + 1, l + 1);
            }
        }
    }

    void select(int layer, int head) {
        for (int l = 0; l < cells.length; l++) {
            for (int h = 0; h < cells[l].length; h++) {
                boolean on = l == layer && (head < 0 || h == head);
                cells[l][h].setBorder(on ? SELECTED : null);
                cells[l][h].setPadding(on ? INSIDE_BORDER : PADDED);
            }
        }
    }
}
