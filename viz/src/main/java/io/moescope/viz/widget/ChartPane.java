package io.moescope.viz.widget;

import io.moescope.viz.thread.BackgroundPriority;
import java.awt.Graphics2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import javafx.application.Platform;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.scene.Node;
import javafx.scene.control.Tooltip;
import javafx.scene.image.ImageView;
import javafx.scene.image.PixelFormat;
import javafx.scene.image.WritableImage;
import javafx.scene.input.MouseEvent;
import javafx.scene.layout.Region;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartRenderingInfo;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.entity.ChartEntity;
import org.jfree.chart.entity.EntityCollection;
import org.jfree.chart.plot.flow.FlowPlot;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.flow.DefaultFlowDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * A JFreeChart shown as an image that is drawn off the FX thread. JFreeChart-FX's ChartViewer draws
 * on the FX thread into a Canvas, whose commands the render thread then replays with software text
 * and anti-aliasing: tens of milliseconds per chart, for every new analysis, which held the FX
 * thread up. Here one background thread draws the chart with AWT into a BufferedImage; the FX thread
 * only copies its pixels into the image on screen, and the renderer blits that image.
 *
 * <p>Hover shows the tooltip of the chart entity under the mouse (bar, point, flow), from the
 * {@link ChartRenderingInfo} of the drawing on screen, as ChartViewer did. The chart object stays
 * the model: SVG export draws it again, as vectors. Drawing locks the chart, and so should anything
 * else that draws or changes a chart that is shown ({@link #locked}).
 */
public final class ChartPane extends Region {
    private static final ThreadPoolExecutor DRAWER = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
            r -> BackgroundPriority.thread(r, "chart-drawer"));   // drawing a chart can wait for the FX thread, never the other way round
    /**
     * Drawings done and not yet on screen. They go to the FX thread together once no drawing is
     * queued, so that a view's three charts after an analysis cost one frame, not three: under
     * software rendering every frame sends the whole window to the display.
     */
    private static final List<Runnable> FINISHED = new ArrayList<>();

    /** What is on screen: the chart, its drawing's entities, and the size it was drawn at. */
    private record Drawn(JFreeChart chart, ChartRenderingInfo info, int width, int height) {}

    private final ImageView view = new ImageView();
    private final ReadOnlyStringWrapper hoverText = new ReadOnlyStringWrapper(this, "hoverText");
    private JFreeChart chart;
    private Drawn drawn;
    private WritableImage image;
    private boolean drawing, again;
    private Tooltip tooltip;

    public ChartPane() {
        getStyleClass().add("chart-pane");
        view.setManaged(false);
        getChildren().add(view);
        setMinSize(120, 120);
        setPrefSize(400, 300);
        addEventHandler(MouseEvent.MOUSE_MOVED, e -> hover(e.getX(), e.getY()));
        addEventHandler(MouseEvent.MOUSE_EXITED, e -> hover(-1, -1));
    }

    /** Shows this chart (null: nothing), drawn in the background; the previous drawing stays until then. */
    public void setChart(JFreeChart c) {
        chart = c;
        if (c == null) {
            drawn = null;
            image = null;
            view.setImage(null);
            hover(-1, -1);
            return;
        }
        redraw();
    }

    public JFreeChart getChart() {
        return chart;
    }

    /** True when the chart set last is on screen at the pane's current size (tests, headless screenshots). */
    public boolean isDrawn() {
        if (pixels(getWidth()) < 1 || pixels(getHeight()) < 1) return !drawing;   // no room: nothing to draw
        return chart == null || drawn != null && drawn.chart == chart && !drawing && drawn.width == pixels(getWidth())
                && drawn.height == pixels(getHeight());
    }

    /** True when every chart pane under the node is drawn. */
    public static boolean allDrawn(Node root) {
        for (Node n : root.lookupAll(".chart-pane")) if (n instanceof ChartPane p && p.isVisible() && !p.isDrawn()) return false;
        return true;
    }

    /** The tooltip text of the entity under the mouse; empty when there is none. */
    public ReadOnlyStringProperty hoverTextProperty() {
        return hoverText.getReadOnlyProperty();
    }

    /** The tooltip text at a point of the pane as drawn now, or null. */
    public String textAt(double x, double y) {
        Drawn d = drawn;
        if (d == null || d.info == null) return null;
        EntityCollection entities = d.info.getEntityCollection();
        if (entities == null) return null;
        ChartEntity e = entities.getEntity(x, y);
        return e == null ? null : e.getToolTipText();
    }

    /** The pixels on screen (ARGB), for tests. */
    public int[] pixels() {
        if (image == null) return new int[0];
        int w = (int) image.getWidth(), h = (int) image.getHeight();
        int[] argb = new int[w * h];
        image.getPixelReader().getPixels(0, 0, w, h, PixelFormat.getIntArgbInstance(), argb, 0, w);
        return argb;
    }

    /**
     * For a snapshot at a scale (PNG export at 2x): every chart pane under the node shows its chart
     * drawn at that scale, on this thread, so that the picture is sharp rather than the screen image
     * enlarged. Run what it returns after the snapshot to put the screen images back.
     */
    public static Runnable drawnAt(Node root, double scale) {
        List<Runnable> restore = new ArrayList<>();
        for (Node n : root.lookupAll(".chart-pane")) if (n instanceof ChartPane p) restore.add(p.drawnAt(scale));
        return () -> restore.forEach(Runnable::run);
    }

    private Runnable drawnAt(double scale) {
        JFreeChart c = chart;
        int w = pixels(getWidth()), h = pixels(getHeight());
        if (c == null || w < 1 || h < 1) return () -> { };
        int sw = (int) Math.round(w * scale), sh = (int) Math.round(h * scale);
        BufferedImage img = new BufferedImage(sw, sh, BufferedImage.TYPE_INT_ARGB_PRE);
        Graphics2D g = img.createGraphics();
        try {
            g.scale(scale, scale);
            locked(c, () -> {
                c.draw(g, new Rectangle2D.Double(0, 0, w, h));
                return null;
            });
        } finally {
            g.dispose();
        }
        WritableImage sharp = new WritableImage(sw, sh);
        sharp.getPixelWriter().setPixels(0, 0, sw, sh, PixelFormat.getIntArgbPreInstance(),
                ((DataBufferInt) img.getRaster().getDataBuffer()).getData(), 0, sw);
        view.setImage(sharp);
        view.setFitWidth(w);
        view.setFitHeight(h);
        return () -> {
            view.setFitWidth(0);
            view.setFitHeight(0);
            view.setImage(image);
        };
    }

    /** Runs work that draws or changes a chart while no background drawing of it runs. */
    public static <T> T locked(JFreeChart chart, java.util.function.Supplier<T> work) {
        synchronized (chart) {
            return work.get();
        }
    }

    @Override
    protected void layoutChildren() {
        view.relocate(snappedLeftInset(), snappedTopInset());
        if (chart != null && !drawing && (drawn == null || drawn.width != pixels(getWidth()) || drawn.height != pixels(getHeight()))) {
            redraw();
        }
    }

    private static int pixels(double size) {
        return (int) Math.floor(size);
    }

    /** Draws the current chart at the current size; one drawing at a time per pane, the latest state wins. */
    private void redraw() {
        if (drawing) {
            again = true;
            return;
        }
        JFreeChart c = chart;
        int w = pixels(getWidth()), h = pixels(getHeight());
        if (c == null || w < 1 || h < 1) return;
        drawing = true;
        again = false;
        DRAWER.execute(() -> {
            BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_ARGB_PRE);
            ChartRenderingInfo info = new ChartRenderingInfo();
            RuntimeException failure = null;
            Graphics2D g = img.createGraphics();
            try {
                locked(c, () -> {
                    c.draw(g, new Rectangle2D.Double(0, 0, w, h), null, info);
                    return null;
                });
            } catch (RuntimeException e) {
                failure = e;
            } finally {
                g.dispose();
            }
            RuntimeException failed = failure;
            finished(() -> {
                drawing = false;
                if (failed != null) throw failed;   // the window's handler reports it; the old drawing stays
                if (c == chart) show(img, new Drawn(c, info, w, h));
                if (again || c != chart || w != pixels(getWidth()) || h != pixels(getHeight())) redraw();
            });
        });
    }

    /**
     * Builds and draws one chart of each kind the views use on the drawing thread, so that
     * JFreeChart's classes are loaded (and its code warmed) before a view first builds a chart on
     * the FX thread: the first showing of the load tab otherwise spent hundreds of ms loading them.
     */
    public static void warmUp() {
        DRAWER.execute(() -> {
            try {
                DefaultCategoryDataset cat = new DefaultCategoryDataset();
                cat.addValue(1, "a", "x");
                cat.addValue(2, "a", "y");
                XYSeries xy = new XYSeries("a");
                xy.add(1, 1);
                xy.add(2, 3);
                DefaultFlowDataset<String> flow = new DefaultFlowDataset<>();
                flow.setFlow(0, "a", "b", 1);
                JFreeChart line = ChartFactory.createLineChart("w", "x", "y", cat);
                line.getCategoryPlot().setRangeAxis(new LogAxis("y"));
                List<JFreeChart> charts = List.of(ChartFactory.createBarChart("w", "x", "y", cat), line,
                        ChartFactory.createXYLineChart("w", "x", "y", new XYSeriesCollection(xy)),
                        new JFreeChart("w", new FlowPlot(flow)));
                BufferedImage img = new BufferedImage(160, 120, BufferedImage.TYPE_INT_ARGB_PRE);
                Graphics2D g = img.createGraphics();
                for (JFreeChart c : charts) c.draw(g, new Rectangle2D.Double(0, 0, 160, 120), null, new ChartRenderingInfo());
                g.dispose();
            } catch (RuntimeException ignored) {
                // only a warm-up: the real charts report their own failures
            }
        });
    }

    /** Called on the drawing thread: hands a finished drawing to the FX thread, with the others done by then. */
    private static void finished(Runnable onFx) {
        boolean post;
        synchronized (FINISHED) {
            FINISHED.add(onFx);
            post = DRAWER.getQueue().isEmpty();
        }
        if (!post) return;
        Platform.runLater(() -> {
            List<Runnable> batch;
            synchronized (FINISHED) {
                batch = new ArrayList<>(FINISHED);
                FINISHED.clear();
            }
            RuntimeException first = null;
            for (Runnable r : batch) {
                try {
                    r.run();
                } catch (RuntimeException e) {
                    if (first == null) first = e;
                }
            }
            if (first != null) throw first;
        });
    }

    private void show(BufferedImage img, Drawn d) {
        int[] argb = ((DataBufferInt) img.getRaster().getDataBuffer()).getData();
        if (image == null || image.getWidth() != d.width || image.getHeight() != d.height) image = new WritableImage(d.width, d.height);
        image.getPixelWriter().setPixels(0, 0, d.width, d.height, PixelFormat.getIntArgbPreInstance(), argb, 0, d.width);
        if (view.getImage() != image) view.setImage(image);
        drawn = d;
    }

    private void hover(double x, double y) {
        String text = x < 0 ? null : textAt(x, y);
        hoverText.set(text == null ? "" : text);
        if (text != null) {
            if (tooltip == null) {
                tooltip = new Tooltip(text);
                Tooltip.install(this, tooltip);
            } else {
                tooltip.setText(text);
            }
        } else if (tooltip != null) {
            Tooltip.uninstall(this, tooltip);
            tooltip = null;
        }
    }
}
