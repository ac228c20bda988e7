package io.moescope.viz.widget;

import static io.moescope.viz.FxCalls.fx;
import static io.moescope.viz.FxCalls.fxRun;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.moescope.report.chart.ChartStyle;
import io.moescope.report.export.ChartImages;
import io.moescope.report.export.SvgExport;
import io.moescope.viz.export.FxImages;
import java.awt.geom.Rectangle2D;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import javafx.geometry.Point2D;
import javafx.scene.Scene;
import javafx.stage.Stage;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartRenderingInfo;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.entity.CategoryItemEntity;
import org.jfree.chart.entity.ChartEntity;
import org.jfree.chart.labels.StandardCategoryToolTipGenerator;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.data.category.DefaultCategoryDataset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/**
 * A chart drawn off the FX thread into an image: it appears, a different chart gives different
 * pixels, hovering a bar says its value (as ChartViewer's tooltips did), and the chart object
 * still exports as vector SVG.
 */
@ExtendWith(ApplicationExtension.class)
class ChartPaneTest {
    private ChartPane pane;

    @Start
    void start(Stage stage) {
        pane = new ChartPane();
        stage.setScene(new Scene(pane, 400, 300));
        stage.show();
    }

    private static JFreeChart bars(double... values) {
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        for (int i = 0; i < values.length; i++) data.addValue(values[i], "tokens", "E" + i);
        JFreeChart chart = ChartFactory.createBarChart("load", "expert", "tokens", data, PlotOrientation.VERTICAL, false, true, false);
        ChartStyle.apply(chart);
        chart.getCategoryPlot().getRenderer().setDefaultToolTipGenerator(
                new StandardCategoryToolTipGenerator("{1}: {2} tokens", java.text.NumberFormat.getIntegerInstance()));
        return chart;
    }

    private int[] show(JFreeChart chart) throws Exception {
        fxRun(() -> pane.setChart(chart));
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> fx(pane::isDrawn));
        return fx(pane::pixels);
    }

    @Test
    void drawsInTheBackgroundAndShowsTheImage() throws Exception {
        int[] a = show(bars(3, 9, 1, 5));
        assertEquals(400 * 300, a.length, "one pixel per layout pixel off screen");
        assertEquals(0xffffffff, a[0], "the chart's white background at the corner");
        assertTrue(Arrays.stream(a).anyMatch(p -> p == (0xff000000 | ChartStyle.BAR.getRGB())), "the bars in the bar colour");
        int[] b = show(bars(9, 1, 5, 3));
        assertFalse(Arrays.equals(a, b), "other values, other pixels");
        fxRun(() -> pane.setChart(null));
        assertEquals(0, fx(pane::pixels).length, "no chart, no image");
    }

    @Test
    void hoveringABarSaysItsValue(FxRobot robot) throws Exception {
        JFreeChart chart = bars(3, 9, 1, 5);
        show(chart);
        // where the bar of E1 lies, from an independent drawing of the same chart at the same size
        ChartRenderingInfo info = new ChartRenderingInfo();
        java.awt.image.BufferedImage img = new java.awt.image.BufferedImage(400, 300, java.awt.image.BufferedImage.TYPE_INT_RGB);
        chart.draw(img.createGraphics(), new Rectangle2D.Double(0, 0, 400, 300), null, info);
        Rectangle2D bar = null;
        for (Object o : info.getEntityCollection().getEntities()) {
            if (o instanceof CategoryItemEntity e && "E1".equals(e.getColumnKey())) bar = ((ChartEntity) e).getArea().getBounds2D();
        }
        assertNotNull(bar);
        Rectangle2D b = bar;
        assertEquals("E1: 9 tokens", fx(() -> pane.textAt(b.getCenterX(), b.getCenterY())));
        assertNull(fx(() -> pane.textAt(2, 2)), "the title margin is no bar");
        robot.moveTo(fx(() -> pane.localToScreen(new Point2D(b.getCenterX(), b.getCenterY()))));
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals("E1: 9 tokens", fx(() -> pane.hoverTextProperty().get()));
        robot.moveTo(fx(() -> pane.localToScreen(new Point2D(2, 2))));
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals("", fx(() -> pane.hoverTextProperty().get()));
    }

    @Test
    void aSnapshotAtTwiceTheScaleShowsTheChartDrawnAtThatScale() throws Exception {
        JFreeChart chart = bars(3, 9, 1, 5);
        int[] screen = show(chart);
        java.awt.image.BufferedImage enlarged = fx(() -> FxImages.snapshot(pane, 2));
        java.awt.image.BufferedImage sharp = fx(() -> {
            Runnable restore = ChartPane.drawnAt(pane, 2);
            try {
                return FxImages.snapshot(pane, 2);
            } finally {
                restore.run();
            }
        });
        java.awt.image.BufferedImage expected = ChartImages.render(chart, 400, 300, 2);
        assertEquals(800, sharp.getWidth());
        assertEquals(600, sharp.getHeight());
        // the chart as AWT draws it at 2x, not the screen image enlarged
        assertTrue(agreement(sharp, expected) > 0.98, "sharp: " + agreement(sharp, expected));
        assertTrue(agreement(enlarged, expected) < agreement(sharp, expected), "an enlarged screen image is less like it");
        assertTrue(Arrays.equals(screen, fx(pane::pixels)), "the screen image is back afterwards");
    }

    /** The fraction of pixels whose colours differ by at most 8 per channel. */
    private static double agreement(java.awt.image.BufferedImage a, java.awt.image.BufferedImage b) {
        int same = 0;
        for (int y = 0; y < a.getHeight(); y++) {
            for (int x = 0; x < a.getWidth(); x++) {
                int p = a.getRGB(x, y), q = b.getRGB(x, y);
                boolean close = true;
                for (int sh = 0; sh < 24; sh += 8) close &= Math.abs((p >> sh & 0xff) - (q >> sh & 0xff)) <= 8;
                if (close) same++;
            }
        }
        return (double) same / (a.getWidth() * a.getHeight());
    }

    @Test
    void theShownChartStillExportsAsVectorSvg() throws Exception {
        JFreeChart chart = bars(3, 9, 1, 5);
        show(chart);
        String svg = SvgExport.svg(fx(pane::getChart), 400, 300);
        assertTrue(svg.contains("<svg"), "an SVG document");
        assertTrue(svg.contains("<rect") || svg.contains("<path"), "shapes, not a bitmap");
        assertFalse(svg.contains("<image"), "no embedded bitmap");
        assertNotEquals(-1, svg.indexOf("expert"), "axis text as text");
    }
}
