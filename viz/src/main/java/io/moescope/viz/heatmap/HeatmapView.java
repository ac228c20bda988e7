package io.moescope.viz.heatmap;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.IntBuffer;
import java.util.List;
import java.util.function.BiConsumer;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.geometry.VPos;
import javafx.scene.canvas.Canvas;
import javafx.scene.canvas.GraphicsContext;
import javafx.scene.control.Tooltip;
import javafx.scene.image.PixelBuffer;
import javafx.scene.image.PixelFormat;
import javafx.scene.image.WritableImage;
import javafx.scene.input.MouseButton;
import javafx.scene.input.MouseEvent;
import javafx.scene.input.ScrollEvent;
import javafx.scene.layout.Region;
import javafx.scene.paint.Color;
import javafx.scene.text.Font;
import javafx.scene.text.TextAlignment;
import javafx.util.Duration;

/**
 * A matrix drawn as one image at screen resolution: a 2048 x 2048 attention map is one texture of
 * the size it is shown at, not four million nodes, and a redraw colours only the pixels on screen
 * (each the maximum of the cells it covers, see {@link HeatmapRaster#render}). Row and column
 * labels are drawn on a canvas where cells are tall enough to read them. Scroll zooms about the
 * cursor, dragging pans, a double click resets; hovering describes the cell under the cursor (also
 * as a tooltip); a click selects it.
 */
public final class HeatmapView extends Region {
    /** What the tooltip and {@link #hoverTextProperty()} say about a cell. */
    @FunctionalInterface
    public interface CellText {
        String describe(int row, int col);
    }

    private final Canvas image = new Canvas();
    private final Canvas labels = new Canvas();
    private final Canvas overlay = new Canvas();
    private final Tooltip tooltip = new Tooltip();
    private final ReadOnlyStringWrapper hoverText = new ReadOnlyStringWrapper(this, "hoverText", "");

    // the data
    private float[] values = new float[0];
    private int rows, cols;
    private ColourScale scale = ColourScale.linear(0, 1);
    private int[] palette;   // non-null: categories instead of a scale

    // the screen raster
    private PixelBuffer<IntBuffer> pixels;
    private WritableImage raster;
    private int[] argb = new int[0];
    private int pw, ph;

    private List<String> rowLabels = List.of(), colLabels = List.of();
    private CellText cellText = (r, c) -> "";
    private BiConsumer<Integer, Integer> onCellClicked = (r, c) -> { };
    private boolean square;
    private double labelFontSize = 11;
    private int highlightRow = -1, highlightCol = -1;

    // the visible part, in cells
    private double vx, vy, vw = 1, vh = 1;
    private double dragX, dragY, dragVx, dragVy;
    private boolean dragged;

    public HeatmapView() {
        overlay.setMouseTransparent(true);
        labels.setMouseTransparent(true);
        getChildren().addAll(image, labels, overlay);
        tooltip.setShowDelay(Duration.millis(80));
        tooltip.setHideDelay(Duration.millis(50));
        tooltip.textProperty().bind(hoverText);
        Tooltip.install(image, tooltip);
        image.addEventHandler(MouseEvent.MOUSE_MOVED, e -> hover(e.getX(), e.getY()));
        image.addEventHandler(MouseEvent.MOUSE_PRESSED, this::press);
        image.addEventHandler(MouseEvent.MOUSE_DRAGGED, this::drag);
        image.addEventHandler(MouseEvent.MOUSE_CLICKED, this::click);
        image.addEventHandler(ScrollEvent.SCROLL, e -> {
            zoomAt(e.getX(), e.getY(), e.getDeltaY() > 0 ? 1 / 1.25 : 1.25);
            e.consume();
        });
        setMinSize(80, 80);
        setPrefSize(480, 480);
    }

    /** Heatmap values with a colour scale; the array is kept, not copied. FX thread only. */
    public void setData(float[] values, int rows, int cols, ColourScale scale) {
        set(values, rows, cols, scale, null);
    }

    /** Categories (e.g. expert numbers) coloured from a palette; negative values are blank. */
    public void setCategories(float[] values, int rows, int cols, int[] palette) {
        set(values, rows, cols, null, palette);
    }

    private void set(float[] values, int rows, int cols, ColourScale scale, int[] palette) {
        boolean reshaped = rows != this.rows || cols != this.cols;
        this.values = values;
        this.rows = rows;
        this.cols = cols;
        this.scale = scale;
        this.palette = palette;
        if (reshaped) {
            vx = 0;
            vy = 0;
            vw = Math.max(1, cols);
            vh = Math.max(1, rows);
            requestLayout();
        }
        redraw();
    }

    public void setLabels(List<String> rowLabels, List<String> colLabels) {
        this.rowLabels = List.copyOf(rowLabels);
        this.colLabels = List.copyOf(colLabels);
        requestLayout();
        drawLabels();
    }

    public void setCellText(CellText cellText) {
        this.cellText = cellText;
    }

    public void setOnCellClicked(BiConsumer<Integer, Integer> handler) {
        this.onCellClicked = handler;
    }

    /** Keep cells square (attention maps) instead of filling the area (layer x expert tables). */
    public void setSquare(boolean square) {
        this.square = square;
        requestLayout();
    }

    public void setLabelFontSize(double size) {
        this.labelFontSize = size;
        requestLayout();
    }

    /** Outlines a row and/or a column (-1 for none): the linked selection of the other views. */
    public void setHighlight(int row, int col) {
        this.highlightRow = row;
        this.highlightCol = col;
        drawOverlay();
    }

    public ReadOnlyStringProperty hoverTextProperty() {
        return hoverText.getReadOnlyProperty();
    }

    public int rows() {
        return rows;
    }

    public int cols() {
        return cols;
    }

    /** The screen raster as last drawn, ARGB (for tests). */
    public int[] pixels() {
        return argb.clone();
    }

    public void resetZoom() {
        vx = 0;
        vy = 0;
        vw = Math.max(1, cols);
        vh = Math.max(1, rows);
        viewportChanged();
    }

    /** Zooms by factor (less than 1 zooms in) keeping the cell under (x, y) of the cells' canvas in place. */
    public void zoomAt(double x, double y, double factor) {
        if (rows == 0) return;
        double cx = vx + x / image.getWidth() * vw, cy = vy + y / image.getHeight() * vh;
        double nw = clamp(vw * factor, Math.min(4, cols), cols), nh = clamp(vh * factor, Math.min(4, rows), rows);
        vx = cx - (cx - vx) * nw / vw;
        vy = cy - (cy - vy) * nh / vh;
        vw = nw;
        vh = nh;
        viewportChanged();
    }

    private void viewportChanged() {
        vx = clamp(vx, 0, Math.max(0, cols - vw));
        vy = clamp(vy, 0, Math.max(0, rows - vh));
        redraw();
        drawLabels();
    }

    /** Colours the screen raster from the data and shows it. */
    private void redraw() {
        int w = (int) Math.ceil(image.getWidth() * outputScale()), h = (int) Math.ceil(image.getHeight() * outputScale());
        GraphicsContext g = image.getGraphicsContext2D();
        g.clearRect(0, 0, image.getWidth(), image.getHeight());
        if (rows == 0 || w < 1 || h < 1) {
            drawOverlay();
            return;
        }
        if (w != pw || h != ph || pixels == null) {
            pw = w;
            ph = h;
            // PixelBuffer wants a direct buffer in the platform's byte order and premultiplied ARGB;
            // our colours are opaque, so premultiplied is the same.
            IntBuffer buf = ByteBuffer.allocateDirect(w * h * 4).order(ByteOrder.nativeOrder()).asIntBuffer();
            pixels = new PixelBuffer<>(w, h, buf, PixelFormat.getIntArgbPreInstance());
            raster = new WritableImage(pixels);
            argb = new int[w * h];
        }
        if (palette != null) HeatmapRaster.renderCategorical(values, rows, cols, vx, vy, vw, vh, w, h, palette, argb);
        else HeatmapRaster.render(values, rows, cols, vx, vy, vw, vh, w, h, scale, argb);
        IntBuffer buf = pixels.getBuffer();
        buf.clear();
        buf.put(argb);
        pixels.updateBuffer(pb -> null);   // null: the whole image changed
        g.setImageSmoothing(false);
        g.drawImage(raster, 0, 0, image.getWidth(), image.getHeight());
        drawOverlay();
    }

    /** Device pixels per layout pixel (2 on a HiDPI screen), so the raster stays sharp there. */
    private double outputScale() {
        return getScene() != null && getScene().getWindow() != null ? Math.max(1, getScene().getWindow().getOutputScaleX()) : 1;
    }

    private double labelMargin(List<String> labels) {
        if (labels.isEmpty()) return 0;
        int longest = 0;
        for (String s : labels) longest = Math.max(longest, Math.min(14, s.length()));
        return 8 + longest * labelFontSize * 0.62;
    }

    @Override
    protected void layoutChildren() {
        double left = labelMargin(rowLabels), top = labelMargin(colLabels);
        double w = Math.max(1, Math.floor(getWidth() - left - 4)), h = Math.max(1, Math.floor(getHeight() - top - 4));
        if (square && rows > 0 && cols > 0) {
            double cell = Math.min(w / cols, h / rows);
            w = Math.max(1, Math.floor(cell * cols));
            h = Math.max(1, Math.floor(cell * rows));
        }
        boolean resized = w != image.getWidth() || h != image.getHeight();
        image.setLayoutX(left);
        image.setLayoutY(top);
        image.setWidth(w);
        image.setHeight(h);
        labels.setWidth(getWidth());
        labels.setHeight(getHeight());
        overlay.setLayoutX(left);
        overlay.setLayoutY(top);
        overlay.setWidth(w);
        overlay.setHeight(h);
        if (resized) redraw();
        drawLabels();
        drawOverlay();
    }

    private void drawLabels() {
        GraphicsContext g = labels.getGraphicsContext2D();
        g.clearRect(0, 0, labels.getWidth(), labels.getHeight());
        if (rows == 0) return;
        g.setFill(Color.web("#333"));
        g.setFont(Font.font(labelFontSize));
        double x0 = image.getLayoutX(), y0 = image.getLayoutY();
        double cellH = image.getHeight() / vh, cellW = image.getWidth() / vw;
        g.setTextBaseline(VPos.CENTER);
        g.setTextAlign(TextAlignment.RIGHT);
        int stepR = Math.max(1, (int) Math.ceil(labelFontSize * 1.1 / cellH));
        for (int r = (int) Math.floor(vy); r < Math.min(rows, vy + vh) && !rowLabels.isEmpty(); r++) {
            if (r % stepR != 0 || r >= rowLabels.size()) continue;
            g.fillText(shorten(rowLabels.get(r)), x0 - 4, y0 + (r - vy + 0.5) * cellH);
        }
        int stepC = Math.max(1, (int) Math.ceil(labelFontSize * 1.1 / cellW));
        g.setTextAlign(TextAlignment.LEFT);
        for (int c = (int) Math.floor(vx); c < Math.min(cols, vx + vw) && !colLabels.isEmpty(); c++) {
            if (c % stepC != 0 || c >= colLabels.size()) continue;
            g.save();
            g.translate(x0 + (c - vx + 0.5) * cellW, y0 - 4);
            g.rotate(-90);
            g.fillText(shorten(colLabels.get(c)), 0, 0);
            g.restore();
        }
    }

    private static String shorten(String s) {
        return s.length() <= 14 ? s : s.substring(0, 13) + "…";
    }

    private void drawOverlay() {
        GraphicsContext g = overlay.getGraphicsContext2D();
        g.clearRect(0, 0, overlay.getWidth(), overlay.getHeight());
        if (rows == 0) return;
        double cellH = overlay.getHeight() / vh, cellW = overlay.getWidth() / vw;
        g.setStroke(Color.web("#ff2d55"));
        g.setLineWidth(2);
        if (highlightRow >= 0 && highlightRow < rows) {
            g.strokeRect(1, (highlightRow - vy) * cellH, overlay.getWidth() - 2, cellH);
        }
        if (highlightCol >= 0 && highlightCol < cols) {
            g.strokeRect((highlightCol - vx) * cellW, 1, cellW, overlay.getHeight() - 2);
        }
    }

    /** Cell under a point of the cells' canvas, or null outside the data. */
    private int[] cellAt(double x, double y) {
        if (rows == 0 || x < 0 || y < 0 || x >= image.getWidth() || y >= image.getHeight()) return null;
        int c = (int) (vx + x / image.getWidth() * vw), r = (int) (vy + y / image.getHeight() * vh);
        if (r < 0 || r >= rows || c < 0 || c >= cols) return null;
        return new int[]{r, c};
    }

    private void hover(double x, double y) {
        int[] cell = cellAt(x, y);
        hoverText.set(cell == null ? "" : cellText.describe(cell[0], cell[1]));
    }

    private void press(MouseEvent e) {
        dragX = e.getX();
        dragY = e.getY();
        dragVx = vx;
        dragVy = vy;
        dragged = false;
    }

    private void drag(MouseEvent e) {
        dragged = true;
        vx = dragVx - (e.getX() - dragX) / image.getWidth() * vw;
        vy = dragVy - (e.getY() - dragY) / image.getHeight() * vh;
        viewportChanged();
    }

    private void click(MouseEvent e) {
        if (e.getButton() != MouseButton.PRIMARY || dragged) return;
        if (e.getClickCount() == 2) {
            resetZoom();
            return;
        }
        int[] cell = cellAt(e.getX(), e.getY());
        if (cell != null) onCellClicked.accept(cell[0], cell[1]);
    }

    private static double clamp(double v, double lo, double hi) {
        return Math.max(lo, Math.min(hi, v));
    }
}
