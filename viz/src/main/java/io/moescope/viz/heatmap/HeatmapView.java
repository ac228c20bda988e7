package io.moescope.viz.heatmap;

import io.moescope.report.heatmap.ColourScale;
import io.moescope.report.heatmap.HeatmapRaster;
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
import javafx.scene.image.ImageView;
import javafx.scene.image.PixelBuffer;
import javafx.scene.image.PixelFormat;
import javafx.scene.image.WritableImage;
import javafx.scene.input.MouseButton;
import javafx.scene.input.MouseEvent;
import javafx.scene.input.ScrollEvent;
import javafx.scene.layout.Region;
import javafx.scene.paint.Color;
import javafx.scene.shape.Rectangle;
import javafx.scene.shape.StrokeType;
import javafx.scene.text.Font;
import javafx.scene.text.TextAlignment;
import javafx.util.Duration;

/**
 * A matrix drawn as one image at screen resolution: a 2048 x 2048 attention map is one texture of
 * the size it is shown at, not four million nodes, and a redraw colours only the pixels on screen
 * (each the maximum of the cells it covers, see {@link HeatmapRaster#render}), straight into the
 * buffer the image is made of. Nothing transparent lies over the cells (labels are drawn beside
 * them, the highlight is two outlines), so a software renderer copies the image once per frame
 * instead of blending layers over it. Row and column labels are drawn where cells are tall enough
 * to read them. Scroll zooms about the cursor, dragging pans, a double click resets; hovering
 * describes the cell under the cursor (also as a tooltip); a click selects it.
 */
public final class HeatmapView extends Region {
    /** What the tooltip and {@link #hoverTextProperty()} say about a cell. */
    @FunctionalInterface
    public interface CellText {
        String describe(int row, int col);
    }

    private final ImageView image = new ImageView();
    private final Canvas rowLabelCanvas = new Canvas(), colLabelCanvas = new Canvas();
    private final Rectangle rowMark = mark(), colMark = mark();
    private final Tooltip tooltip = new Tooltip();
    private final ReadOnlyStringWrapper hoverText = new ReadOnlyStringWrapper(this, "hoverText", "");

    // the data
    private float[] values = new float[0];
    private int offset, rows, cols;
    private ColourScale scale = ColourScale.linear(0, 1);
    private int[] palette;   // non-null: categories instead of a scale

    // the screen raster
    private PixelBuffer<IntBuffer> pixels;
    private int pw, ph;
    /** Where the cells are drawn, in layout pixels. */
    private double ix, iy, iw, ih;

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
        rowLabelCanvas.setMouseTransparent(true);
        colLabelCanvas.setMouseTransparent(true);
        image.setSmooth(false);
        image.setPreserveRatio(false);
        getChildren().addAll(image, rowLabelCanvas, colLabelCanvas, rowMark, colMark);
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

    private static Rectangle mark() {
        Rectangle r = new Rectangle();
        r.setFill(null);
        r.setStroke(Color.web("#ff2d55"));
        r.setStrokeWidth(2);
        r.setStrokeType(StrokeType.INSIDE);
        r.setMouseTransparent(true);
        r.setManaged(false);
        r.setVisible(false);
        return r;
    }

    /** Heatmap values with a colour scale; the array is kept, not copied. FX thread only. */
    public void setData(float[] values, int rows, int cols, ColourScale scale) {
        set(values, 0, rows, cols, scale, null);
    }

    /** The rows x cols map that starts at values[offset] (e.g. one head of a layer's maps); kept, not copied. */
    public void setData(float[] values, int offset, int rows, int cols, ColourScale scale) {
        set(values, offset, rows, cols, scale, null);
    }

    /** Categories (e.g. expert numbers) coloured from a palette; negative values are blank. */
    public void setCategories(float[] values, int rows, int cols, int[] palette) {
        set(values, 0, rows, cols, null, palette);
    }

    private void set(float[] values, int offset, int rows, int cols, ColourScale scale, int[] palette) {
        boolean reshaped = rows != this.rows || cols != this.cols;
        this.values = values;
        this.offset = offset;
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

    /** The screen raster as last drawn, ARGB, row by row (for tests). */
    public int[] pixels() {
        if (pixels == null) return new int[0];
        int[] out = new int[pw * ph];
        pixels.getBuffer().get(0, out);
        return out;
    }

    /** Width of the screen raster in pixels (device pixels: twice the layout width on a HiDPI screen). */
    public int pixelWidth() {
        return pw;
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
        double cx = vx + x / iw * vw, cy = vy + y / ih * vh;
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

    /** Colours the screen raster from the data, straight into the image's buffer, and shows it. */
    private void redraw() {
        int w = (int) Math.ceil(iw * outputScale()), h = (int) Math.ceil(ih * outputScale());
        if (rows == 0 || w < 1 || h < 1) {
            image.setVisible(false);
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
            image.setImage(new WritableImage(pixels));
        }
        pixels.updateBuffer(pb -> {
            IntBuffer buf = pb.getBuffer();
            if (palette != null) HeatmapRaster.renderCategorical(values, rows, cols, vx, vy, vw, vh, w, h, palette, buf);
            else HeatmapRaster.render(values, offset, rows, cols, vx, vy, vw, vh, w, h, scale, buf);
            return null;   // null: the whole image changed
        });
        image.setVisible(true);
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
        // Whole pixels: an image at a fractional position is resampled by the renderer in every
        // frame; at a whole one it is copied.
        double left = Math.ceil(labelMargin(rowLabels)), top = Math.ceil(labelMargin(colLabels));
        double w = Math.max(1, Math.floor(getWidth() - left - 4)), h = Math.max(1, Math.floor(getHeight() - top - 4));
        if (square && rows > 0 && cols > 0) {
            double cell = Math.min(w / cols, h / rows);
            w = Math.max(1, Math.floor(cell * cols));
            h = Math.max(1, Math.floor(cell * rows));
        }
        boolean resized = w != iw || h != ih;
        ix = left;
        iy = top;
        iw = w;
        ih = h;
        image.setLayoutX(left);
        image.setLayoutY(top);
        image.setFitWidth(w);
        image.setFitHeight(h);
        // the labels' canvases lie beside the cells, never over them
        rowLabelCanvas.setLayoutX(0);
        rowLabelCanvas.setLayoutY(top);
        rowLabelCanvas.setWidth(left);
        rowLabelCanvas.setHeight(h);
        colLabelCanvas.setLayoutX(left);
        colLabelCanvas.setLayoutY(0);
        colLabelCanvas.setWidth(w);
        colLabelCanvas.setHeight(top);
        if (resized) redraw();
        drawLabels();
        drawOverlay();
    }

    private void drawLabels() {
        GraphicsContext rg = rowLabelCanvas.getGraphicsContext2D(), cg = colLabelCanvas.getGraphicsContext2D();
        rg.clearRect(0, 0, rowLabelCanvas.getWidth(), rowLabelCanvas.getHeight());
        cg.clearRect(0, 0, colLabelCanvas.getWidth(), colLabelCanvas.getHeight());
        if (rows == 0) return;
        double cellH = ih / vh, cellW = iw / vw;
        rg.setFill(Color.web("#333"));
        rg.setFont(Font.font(labelFontSize));
        rg.setTextBaseline(VPos.CENTER);
        rg.setTextAlign(TextAlignment.RIGHT);
        int stepR = Math.max(1, (int) Math.ceil(labelFontSize * 1.1 / cellH));
        for (int r = (int) Math.floor(vy); r < Math.min(rows, vy + vh) && !rowLabels.isEmpty(); r++) {
            if (r % stepR != 0 || r >= rowLabels.size()) continue;
            rg.fillText(shorten(rowLabels.get(r)), ix - 4, (r - vy + 0.5) * cellH);
        }
        cg.setFill(Color.web("#333"));
        cg.setFont(Font.font(labelFontSize));
        cg.setTextBaseline(VPos.CENTER);
        cg.setTextAlign(TextAlignment.LEFT);
        int stepC = Math.max(1, (int) Math.ceil(labelFontSize * 1.1 / cellW));
        for (int c = (int) Math.floor(vx); c < Math.min(cols, vx + vw) && !colLabels.isEmpty(); c++) {
            if (c % stepC != 0 || c >= colLabels.size()) continue;
            cg.save();
            cg.translate((c - vx + 0.5) * cellW, iy - 4);
            cg.rotate(-90);
            cg.fillText(shorten(colLabels.get(c)), 0, 0);
            cg.restore();
        }
    }

    private static String shorten(String s) {
        return s.length() <= 14 ? s : s.substring(0, 13) + "…";
    }

    /** Outlines the highlighted row and column, cut to the visible cells. */
    private void drawOverlay() {
        double cellH = ih / vh, cellW = iw / vw;
        place(rowMark, rows > 0 && highlightRow >= 0 && highlightRow < rows, 0, (highlightRow - vy) * cellH, iw, cellH);
        place(colMark, rows > 0 && highlightCol >= 0 && highlightCol < cols, (highlightCol - vx) * cellW, 0, cellW, ih);
    }

    private void place(Rectangle mark, boolean on, double x, double y, double w, double h) {
        double x0 = Math.max(0, x), y0 = Math.max(0, y), x1 = Math.min(iw, x + w), y1 = Math.min(ih, y + h);
        mark.setVisible(on && x1 > x0 && y1 > y0);
        if (!mark.isVisible()) return;
        mark.setX(ix + x0);
        mark.setY(iy + y0);
        mark.setWidth(x1 - x0);
        mark.setHeight(y1 - y0);
    }

    /** Cell under a point of the cells' canvas, or null outside the data. */
    private int[] cellAt(double x, double y) {
        if (rows == 0 || x < 0 || y < 0 || x >= iw || y >= ih) return null;
        int c = (int) (vx + x / iw * vw), r = (int) (vy + y / ih * vh);
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
        vx = dragVx - (e.getX() - dragX) / iw * vw;
        vy = dragVy - (e.getY() - dragY) / ih * vh;
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
