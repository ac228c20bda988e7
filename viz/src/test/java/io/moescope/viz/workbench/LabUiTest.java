package io.moescope.viz.workbench;

import static io.moescope.viz.FxCalls.fx;
import static io.moescope.viz.FxCalls.fxRun;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.moescope.lab.SweepKind;
import io.moescope.report.lab.SweepCharts;
import io.moescope.viz.PngSnapshot;
import io.moescope.viz.heatmap.HeatmapView;
import io.moescope.viz.lab.CompareView;
import io.moescope.viz.lab.SweepView;
import io.moescope.viz.view.AttentionView;
import io.moescope.viz.view.ExpertLoadView;
import io.moescope.viz.view.RoutingView;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import javafx.stage.Stage;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.framework.junit5.Stop;
import org.testfx.util.WaitForAsyncUtils;

/**
 * The mechanism lab in the real window on the bundled DeepSeek-V3 sample model, off screen: a
 * comparison with one expert per token changes the variant's pixels and not the baseline's, fills
 * the difference heatmaps and the metrics table; a sweep draws one point per value and goes into
 * the report. With -Dmoescope.screenshots=DIR it also saves the README's screenshots there.
 */
@ExtendWith(ApplicationExtension.class)
class LabUiTest extends WindowFixture {
    private static final String PROMPT = "In the beginning God created the heaven and the earth. And the earth was without form, and void.";
    private static final Path MODEL = Path.of("..", "sample-models", "kjv-deepseek-v3").toAbsolutePath().normalize();

    @Start
    void start(Stage stage) {
        show(stage, 1400, 900);
        window.open(MODEL, PROMPT);
    }

    @Stop
    void stop() {
        window.close();
    }

    private void awaitIdle(Callable<Boolean> done) throws Exception {
        WaitForAsyncUtils.waitFor(180, TimeUnit.SECONDS, () -> fx(() -> window.controller().isIdle() && done.call()));
        WaitForAsyncUtils.waitForFxEvents();
    }

    private void run(Runnable r) throws Exception {
        fxRun(r::run);
        WaitForAsyncUtils.waitForFxEvents();
    }

    private void screenshot(String name) throws Exception {
        String dir = System.getProperty("moescope.screenshots");
        if (dir == null) return;
        WaitForAsyncUtils.sleep(300, TimeUnit.MILLISECONDS);   // a few frames for the charts' first paint
        run(() -> {
            try {
                PngSnapshot.write(stage.getScene(), Path.of(dir).resolve(name));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }

    private static int colours(int[] pixels) {
        Set<Integer> s = new HashSet<>();
        for (int p : pixels) s.add(p);
        return s.size();
    }

    @Test
    void comparisonWithOneExpertPerToken(FxRobot robot) throws Exception {
        awaitIdle(() -> window.state().analysis.get() != null);
        CompareView compare = window.compareView();
        run(() -> {
            window.showView("compare");
            compare.editor().setK(1);
        });
        robot.clickOn("#lab-compare");
        awaitIdle(() -> window.state().comparison.get() != null);
        assertEquals("k=1", fx(() -> window.state().comparison.get().mechanism().label()));

        // the same view of each side: the variant's routing and load differ, the baseline's equal the main views'
        run(() -> compare.showTab("routing"));
        List<?> routing = fx(() -> compare.sides("routing"));
        int[] baseRouting = fx(() -> ((RoutingView) routing.get(0)).grid().pixels());
        int[] variantRouting = fx(() -> ((RoutingView) routing.get(1)).grid().pixels());
        assertTrue(baseRouting.length > 0 && colours(baseRouting) > 2, "baseline routing grid drawn");
        assertEquals(baseRouting.length, variantRouting.length, "the two sides have the same size");
        assertFalse(Arrays.equals(baseRouting, variantRouting), "k=1 changes the routing grid's pixels");
        screenshot("compare-routing.png");

        run(() -> compare.showTab("load"));
        List<?> load = fx(() -> compare.sides("load"));
        int[] baseLoad = fx(() -> ((ExpertLoadView) load.get(0)).heatmap().pixels());
        int[] variantLoad = fx(() -> ((ExpertLoadView) load.get(1)).heatmap().pixels());
        assertFalse(Arrays.equals(baseLoad, variantLoad), "k=1 changes the load heatmap");

        // attention of the last layer changes once an earlier MoE layer routes differently
        run(() -> {
            window.state().selection.layer.set(5);
            compare.showTab("attention");
        });
        List<?> attention = fx(() -> compare.sides("attention"));
        assertFalse(Arrays.equals(fx(() -> ((AttentionView) attention.get(0)).map().pixels()),
                fx(() -> ((AttentionView) attention.get(1)).map().pixels())), "attention of layer 5");
        screenshot("compare-attention.png");

        run(() -> compare.showTab("differences"));
        HeatmapView att = compare.attentionDifference(), rout = compare.routingDifference(), ld = compare.loadDifference();
        assertTrue(fx(att::rows) > 0 && colours(fx(att::pixels)) > 2, "attention difference heatmap has changes");
        assertTrue(colours(fx(rout::pixels)) >= 2, "some tokens changed experts, some kept them");
        assertTrue(colours(fx(ld::pixels)) > 2, "load moved between experts");
        screenshot("compare-differences.png");

        run(() -> compare.showTab("metrics"));
        List<List<String>> rows = fx(() -> List.copyOf(compare.metricsTable().getItems()));
        assertTrue(rows.size() >= 8, rows.toString());
        assertTrue(rows.getFirst().getFirst().startsWith("mean KL"));
        double kl = Double.parseDouble(rows.getFirst().get(1));
        assertTrue(kl > 0, "k=1 instead of 4 changes the predictions: KL " + kl);
        double agreement = Double.parseDouble(rows.get(1).get(1));
        assertTrue(agreement > 0 && agreement <= 1, "top-1 agreement " + agreement);
        screenshot("compare-metrics.png");
    }

    @Test
    void sweepOfKHasOnePointPerValueAndGoesIntoTheReport(@TempDir Path dir) throws Exception {
        awaitIdle(() -> window.state().analysis.get() != null);
        SweepView sweep = window.sweepView();
        run(() -> {
            window.showView("sweep");
            sweep.set(SweepKind.TOPK, "1,2,4");
        });
        robot().clickOn("#sweep-run");
        awaitIdle(() -> window.state().sweep.get() != null);
        List<SweepCharts.Named> charts = fx(sweep::shownCharts);
        assertEquals(7, charts.size());
        for (SweepCharts.Named c : charts) {
            assertEquals(List.of("1", "2", "4"), fx(() -> c.chart().getCategoryPlot().getDataset().getColumnKeys()), c.name());
        }
        assertEquals(3, fx(() -> sweep.table().getItems().size()));
        // k = 4 is the model's own: nothing changes
        assertEquals("1.0000", fx(() -> sweep.table().getItems().get(2).get(3)), "top-1 agreement at the model's k");
        screenshot("sweep-topk.png");

        List<Path> svgs = fx(() -> window.actions().exportSvg(sweep, dir));
        assertEquals(7, svgs.size());
        for (Path svg : svgs) assertNotNull(DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(svg.toFile()));
        Path png = dir.resolve("sweep.png");
        run(() -> {
            try {
                window.actions().exportPng(sweep, png);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        assertNotNull(javax.imageio.ImageIO.read(png.toFile()));

        Path html = dir.resolve("report.html");
        boolean[] written = {false};
        run(() -> window.actions().exportReport(html, () -> written[0] = true));
        awaitIdle(() -> written[0]);
        String s = Files.readString(html, StandardCharsets.UTF_8);
        assertTrue(s.contains("<caption>Sweep over experts per token (k)"), "the sweep's table in the report");
        assertTrue(s.contains("id=\"sweep-kl\""), "the sweep's charts in the report");
        assertTrue(s.contains("\"sweep\""), "the sweep's numbers in the JSON");
    }

    private FxRobot robot() {
        return new FxRobot();
    }
}
