package io.moescope.viz.workbench;

import static io.moescope.viz.FxCalls.fx;
import static io.moescope.viz.FxCalls.fxRun;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.moescope.analysis.Analysis;
import io.moescope.report.profile.ProfileRow;
import io.moescope.testing.Conformance;
import io.moescope.viz.heatmap.HeatmapView;
import io.moescope.viz.session.Session;
import io.moescope.viz.session.SessionFiles;
import io.moescope.viz.view.AnalysisView;
import io.moescope.viz.view.AttentionView;
import io.moescope.viz.view.ExpertLoadView;
import io.moescope.viz.view.GradientView;
import io.moescope.viz.view.ModelView;
import io.moescope.viz.view.ProfileView;
import io.moescope.viz.view.RoutingView;
import io.moescope.viz.widget.ChipFlow;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import javafx.geometry.Bounds;
import javafx.scene.control.Label;
import javafx.stage.Stage;
import javax.imageio.ImageIO;
import javax.xml.parsers.DocumentBuilderFactory;
import org.apache.pdfbox.Loader;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.framework.junit5.Stop;
import org.testfx.util.WaitForAsyncUtils;

/**
 * The real window on the Mixtral conformance model, driven by TestFX off screen (JavaFX's headless
 * platform, set by the build): every
 * view shows data (checked through what hovering says), two prompts give different pixels,
 * selection is linked, every export is a valid file, and the profile follows the analyses.
 */
@ExtendWith(ApplicationExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WorkbenchUiTest extends WindowFixture {
    private static final String PROMPT_A = "In the beginning God created the heaven and the earth.";
    private static final String PROMPT_B = "And the earth was without form, and void; and darkness was upon the deep.";
    private static final Path MODEL = Conformance.dir().resolve("mixtral-a");

    @Start
    void start(Stage stage) {
        show(stage, 1400, 900);
        window.open(MODEL, PROMPT_A);
    }

    @Stop
    void stop() {
        window.close();
    }

    private void awaitAnalysis() throws Exception {
        WaitForAsyncUtils.waitFor(120, TimeUnit.SECONDS, () -> fx(() -> window.controller().isIdle()
                && window.state().analysis.get() != null && window.state().model.get() != null));
        WaitForAsyncUtils.waitForFxEvents();
    }

    private void show(String id) throws Exception {
        fxRun(() -> window.showView(id));
        WaitForAsyncUtils.waitForFxEvents();
    }

    /** The view, shown once the analysis is done, and holding data. */
    @SuppressWarnings("unchecked")
    private <V extends AnalysisView> V shownWithData(String id) throws Exception {
        awaitAnalysis();
        show(id);
        V v = (V) fx(() -> window.view(id));
        assertTrue(fx(v::hasData), id);
        return v;
    }

    /** Moves the mouse over the middle of a heatmap's cells and returns what the tooltip says. */
    private String hover(FxRobot robot, HeatmapView map, double fx, double fy) throws Exception {
        Bounds b = fx(() -> map.localToScreen(map.getBoundsInLocal()));
        // the cells start after the label margins; aim well inside them
        robot.moveTo(new javafx.geometry.Point2D(b.getMinX() + b.getWidth() * fx, b.getMinY() + b.getHeight() * fy));
        WaitForAsyncUtils.waitForFxEvents();
        return fx(() -> map.hoverTextProperty().get());
    }

    @Test
    @Order(1)
    void statusBarAndTokenChips(FxRobot robot) throws Exception {
        awaitAnalysis();
        assertEquals(PROMPT_A.length(), fx(() -> window.state().analysis.get().tokenCount()), "one token per byte without a tokenizer");
        Label model = fx(() -> (Label) window.root().lookup("#status-model"));
        assertEquals("model: mixtral-a", fx(model::getText));
        assertEquals("backend: java", fx(() -> ((Label) window.root().lookup("#status-backend")).getText()));
        assertTrue(fx(() -> ((Label) window.root().lookup("#status-last-run")).getText()).matches("last run: [0-9.]+ ms, 54 tokens"));
        ChipFlow chips = fx(() -> (ChipFlow) window.root().lookup("#token-strip"));
        assertEquals(PROMPT_A.length(), fx(chips::size));
        javafx.geometry.Point2D centre = fx(() -> chips.localToScreen(chips.chipCentre(2)));
        robot.moveTo(centre);
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals("position 2 · id 32 · '·'", fx(() -> chips.hoverTextProperty().get()));
    }

    @Test
    @Order(2)
    void attentionViewShowsProbabilitiesOnHover(FxRobot robot) throws Exception {
        AttentionView v = shownWithData("attention");
        String text = hover(robot, v.map(), 0.6, 0.9);
        assertTrue(text.matches("query \\d+ '.*' → key \\d+ '.*': p = [0-9.]+"), text);
        // a single head, then the log/linear switch: both redraw
        int[] mean = fx(() -> v.map().pixels());
        fxRun(() -> window.state().selection.head.set(2));
        assertFalse(Arrays.equals(mean, fx(() -> v.map().pixels())), "head 2 looks like the mean of heads");
        fxRun(() -> v.setLogScale(false));
        assertTrue(fx(() -> !v.isLogScale()));
    }

    @Test
    @Order(3)
    void loadViewShowsCountsAndBalance(FxRobot robot) throws Exception {
        ExpertLoadView v = shownWithData("load");
        assertTrue(fx(v::summaryText).contains("aux loss"), fx(v::summaryText));
        String text = hover(robot, v.heatmap(), 0.5, 0.6);
        assertTrue(text.matches("layer \\d, expert \\d: \\d+ tokens .*"), text);
        assertEquals(1, fx(() -> v.charts().size()), "the bar chart");
        fxRun(() -> v.setCapacityFactor(2.0));
        assertTrue(fx(v::summaryText).contains("capacity factor 2.00"), fx(v::summaryText));
    }

    @Test
    @Order(4)
    void routingViewShowsTopkOnHoverAndLinksSelection(FxRobot robot) throws Exception {
        RoutingView v = shownWithData("routing");
        String text = hover(robot, v.grid(), 0.5, 0.8);
        assertTrue(text.matches("token \\d+ '.*', layer \\d: E\\d \\([0-9.]+\\), E\\d \\([0-9.]+\\); router entropy [0-9.]+"), text);
        assertTrue(hover(robot, v.coActivation(), 0.5, 0.5).contains("expert"));
        assertEquals(3, fx(() -> v.charts().size()), "Sankey, router distribution, entropy");

        // clicking a token in the grid selects it everywhere
        robot.clickOn(robot.point(v.grid()).atOffset(new javafx.geometry.Point2D(0, 0)));
        WaitForAsyncUtils.waitForFxEvents();
        int token = fx(() -> window.state().selection.token.get());
        assertTrue(token >= 0, "a click on the grid selects a token");
        ChipFlow chips = fx(() -> (ChipFlow) window.root().lookup("#token-strip"));
        assertEquals(token, fx(chips::selected), "the token strip highlights the selected token");
    }

    @Test
    @Order(5)
    void twoPromptsGiveDifferentPixels() throws Exception {
        awaitAnalysis();
        AttentionView att = (AttentionView) fx(() -> window.view("attention"));
        RoutingView routing = (RoutingView) fx(() -> window.view("routing"));
        ExpertLoadView load = (ExpertLoadView) fx(() -> window.view("load"));
        int[] a1 = pixels("attention", att.map()), r1 = pixels("routing", routing.grid()), l1 = pixels("load", load.heatmap());
        fxRun(() -> window.state().prompt.set(PROMPT_B));   // as typing would: debounced, then analysed
        WaitForAsyncUtils.waitFor(120, TimeUnit.SECONDS, () -> fx(() -> window.controller().isIdle()
                && window.state().analysis.get() != null && window.state().analysis.get().tokenCount() == PROMPT_B.length()));
        WaitForAsyncUtils.waitForFxEvents();
        assertFalse(Arrays.equals(a1, pixels("attention", att.map())), "attention");
        assertFalse(Arrays.equals(r1, pixels("routing", routing.grid())), "routing");
        assertFalse(Arrays.equals(l1, pixels("load", load.heatmap())), "expert load");
    }

    /** Views draw only while shown, so show the view first. */
    private int[] pixels(String view, HeatmapView map) throws Exception {
        show(view);
        int[] p = fx(map::pixels);
        assertTrue(p.length > 100, view + " drew nothing");
        return p;
    }

    @Test
    @Order(6)
    void gradientViewComputesWhenShown(FxRobot robot) throws Exception {
        awaitAnalysis();
        show("gradients");
        WaitForAsyncUtils.waitFor(120, TimeUnit.SECONDS, () -> fx(() -> window.state().gradients.get() != null));
        WaitForAsyncUtils.waitForFxEvents();
        GradientView v = (GradientView) fx(() -> window.view("gradients"));
        assertTrue(fx(v::hasData));
        assertTrue(fx(v::summaryText).startsWith("loss "), fx(v::summaryText));
        String text = hover(robot, v.expertHeatmap(), 0.5, 0.6);
        assertTrue(text.matches("layer \\d, expert \\d: ‖grad‖ .*"), text);
    }

    @Test
    @Order(7)
    void modelViewShowsConfigAndTensorStatistics() throws Exception {
        ModelView v = shownWithData("model");
        fxRun(() -> v.tensorTable().getSelectionModel().select(0));
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> fx(v::statsText).contains("mean"));
        assertTrue(fx(v::statsText).contains("std"), fx(v::statsText));
        assertEquals(1, fx(() -> v.charts().size()), "the histogram");
        String params = fx(() -> ((Label) window.root().lookup("#model-parameters")).getText());
        assertTrue(params.contains("active per token"), params);
    }

    @Test
    @Order(8)
    void exportsAreValidFiles(@TempDir Path dir) throws Exception {
        awaitAnalysis();
        show("routing");
        AnalysisView routing = fx(() -> window.view("routing"));
        Path png = dir.resolve("routing.png");
        fxRun(() -> window.actions().exportPng(routing, png));
        BufferedImage img = ImageIO.read(png.toFile());
        assertNotNull(img, "PNG readable");
        double width = fx(() -> routing.node().getLayoutBounds().getWidth());
        assertEquals(Math.round(2 * width), img.getWidth(), 2, "exported at 2x");

        List<Path> svgs = fx(() -> window.actions().exportSvg(routing, dir));
        assertEquals(3, svgs.size());
        for (Path svg : svgs) {
            var doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(svg.toFile());
            assertEquals("svg", doc.getDocumentElement().getTagName(), svg.toString());
        }

        Path html = dir.resolve("report.html"), pdf = dir.resolve("report.pdf");
        fxRun(() -> window.actions().exportReport(html, () -> { }));
        WaitForAsyncUtils.waitFor(120, TimeUnit.SECONDS, () -> Files.exists(html) && fx(() -> window.controller().isIdle()));
        fxRun(() -> window.actions().exportReport(pdf, () -> { }));
        WaitForAsyncUtils.waitFor(120, TimeUnit.SECONDS, () -> Files.exists(pdf) && fx(() -> window.controller().isIdle()));
        checkHtml(html);
        try (PDDocument d = Loader.loadPDF(pdf.toFile())) {
            assertTrue(d.getNumberOfPages() > 0);
        }
        try (var files = Files.list(dir)) {
            assertTrue(files.noneMatch(f -> f.getFileName().toString().endsWith(".tmp")), "temp files left behind");
        }
    }

    /** The report embeds its figures and carries the numbers as JSON. */
    static void checkHtml(Path html) throws IOException {
        String s = Files.readString(html, StandardCharsets.UTF_8);
        assertTrue(s.contains("<img alt=") && s.contains("src=\"data:image/png;base64,"), "embedded images");
        int start = s.indexOf("<script type=\"application/json\" id=\"moescope-data\">");
        assertTrue(start > 0, "the numbers as JSON");
        String json = s.substring(s.indexOf('>', start) + 1, s.indexOf("</script>", start));
        JsonNode j = new ObjectMapper().readTree(json);
        assertTrue(j.get("load").get("counts").isArray());
        String b64 = s.substring(s.indexOf("base64,") + 7, s.indexOf('"', s.indexOf("base64,")));
        assertNotNull(ImageIO.read(new java.io.ByteArrayInputStream(java.util.Base64.getDecoder().decode(b64))));
    }

    @Test
    @Order(9)
    void sessionRoundTrip(@TempDir Path dir) throws Exception {
        awaitAnalysis();
        fx(() -> {
            window.state().selection.token.set(5);
            window.state().selection.layer.set(1);
            window.state().selection.head.set(3);
            window.showView("load");
            return null;
        });
        Session s = fx(window.sessions()::session);
        Path file = dir.resolve("session.json");
        SessionFiles.write(s, file);
        Session back = SessionFiles.read(file);
        assertEquals(s, back);
        assertEquals(MODEL.toAbsolutePath().toString(), back.model());
        assertEquals("load", back.view());
        fx(() -> {
            window.state().selection.token.set(0);
            window.showView("attention");
            window.sessions().restore(back);
            return null;
        });
        awaitAnalysis();
        assertEquals(5, fx(() -> window.state().selection.token.get()));
        assertEquals(3, fx(() -> window.state().selection.head.get()));
        assertEquals("load", fx(() -> window.currentView().id()));
    }

    @Test
    @Order(10)
    void fileBatchAndPresenterMode(@TempDir Path dir) throws Exception {
        awaitAnalysis();
        Path text = dir.resolve("text.txt");
        Files.writeString(text, (PROMPT_A + " " + PROMPT_B + " ").repeat(4));
        fxRun(() -> window.controller().analyseFile(text, 64));
        WaitForAsyncUtils.waitFor(120, TimeUnit.SECONDS, () -> fx(() -> window.state().batch.get() != null));
        show("load");
        ExpertLoadView v = (ExpertLoadView) fx(() -> window.view("load"));
        assertTrue(fx(v::summaryText).contains("aux loss"));
        assertEquals(8, fx(() -> window.state().batch.get().chunks()));
        fxRun(() -> window.state().presenter.set(true));
        assertTrue(fx(() -> window.root().getStyle()).contains("font-size"));
    }

    @Test
    @Order(11)
    void cancelStopsWaitingForARun() throws Exception {
        awaitAnalysis();
        // Whatever an earlier test left analysed is what must survive the cancelled run.
        int before = fx(() -> window.state().analysis.get().tokenCount());
        fx(() -> {
            window.state().prompt.set(PROMPT_B + " more");
            window.controller().analyseNow();
            window.controller().cancel();
            return null;
        });
        assertTrue(fx(() -> window.controller().isIdle()), "cancel returns the window to idle at once");
        assertEquals(before, fx(() -> window.state().analysis.get().tokenCount()), "the cancelled run's result is dropped");
        Thread.sleep(500);   // long enough for the cancelled analysis of a short prompt to have finished
        assertEquals(before, fx(() -> window.state().analysis.get().tokenCount()), "and stays dropped when it would have finished");
    }

    @Test
    @Order(12)
    void hiddenViewsDrawTheFirstAnalysisThenWaitUntilShown() throws Exception {
        awaitAnalysis();
        assertEquals("attention", fx(() -> window.currentView().id()));
        ExpertLoadView load = (ExpertLoadView) fx(() -> window.view("load"));
        RoutingView routing = (RoutingView) fx(() -> window.view("routing"));
        // never shown, yet built: showing them later costs a redraw, not building their controls
        assertTrue(fx(load::hasData), "the load view drew the first analysis while hidden");
        assertTrue(fx(routing::hasData), "the routing view drew the first analysis while hidden");
        String first = fx(load::summaryText);

        fx(() -> {
            window.state().prompt.set(PROMPT_B);
            window.controller().analyseNow();
            return null;
        });
        WaitForAsyncUtils.waitFor(120, TimeUnit.SECONDS, () -> fx(() -> window.controller().isIdle()
                && window.state().analysis.get().tokenCount() == PROMPT_B.length()));
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(first, fx(load::summaryText), "a hidden view does not redraw for later analyses");
        show("load");
        assertTrue(fx(load::summaryText).contains("of " + PROMPT_B.length() * 2 * 2 + " assignments"),
                "shown, it catches up with the latest analysis: " + fx(load::summaryText));
    }

    @Test
    @Order(13)
    void profileViewShowsTheForwardPassOfEachAnalysis(@TempDir Path dir) throws Exception {
        awaitAnalysis();
        show("profile");
        ProfileView v = (ProfileView) fx(() -> window.view("profile"));
        Analysis first = fx(() -> window.state().analysis.get());
        List<ProfileRow> rows = fx(v::rows);

        Map<String, ProfileRow> ops = byOp(rows);
        for (String op : List.of("embedding", "rmsNorm", "linear", "attention", "route", "experts")) {
            assertTrue(ops.containsKey(op), op + " missing from " + ops.keySet());
        }
        assertTrue(rows.stream().allMatch(r -> r.calls() > 0), rows::toString);
        assertEquals(100.0, rows.stream().mapToDouble(ProfileRow::percent).sum(), 0.01, rows::toString);
        assertEquals(rows.stream().sorted(Comparator.comparingDouble(ProfileRow::totalMs).reversed()).toList(), rows, "slowest first");
        // it came with this analysis: its tokens, on the backend the status bar names
        assertTrue(fx(v::summaryText).startsWith("java on "), fx(v::summaryText));
        assertTrue(fx(v::summaryText).contains(" · " + first.tokenCount() + " tokens · "), fx(v::summaryText));
        assertEquals(rows.size(), fx(() -> v.charts().get(0).chart().getCategoryPlot().getDataset().getColumnCount()), "a bar per operation");
        List<Path> svgs = fx(() -> window.actions().exportSvg(v, dir));
        assertEquals(List.of(dir.resolve("profile.svg")), svgs);
        assertNotEquals(0, DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(svgs.get(0).toFile())
                .getElementsByTagName("text").getLength(), "the SVG has the operations' names");

        // Times vary from run to run; calls and bytes do not. A longer prompt runs the same layers on
        // more tokens: as many calls, more bytes through each.
        fxRun(() -> window.state().prompt.set(window.state().prompt.get() + " And God said, Let there be light."));
        WaitForAsyncUtils.waitFor(120, TimeUnit.SECONDS, () -> fx(() -> window.controller().isIdle() && window.state().analysis.get() != first));
        WaitForAsyncUtils.waitForFxEvents();
        Analysis second = fx(() -> window.state().analysis.get());
        assertTrue(second.tokenCount() > first.tokenCount());
        Map<String, ProfileRow> after = byOp(fx(v::rows));
        for (String op : List.of("linear", "attention", "experts", "rmsNorm")) {
            assertEquals(ops.get(op).calls(), after.get(op).calls(), op);
            assertTrue(after.get(op).bytes() > ops.get(op).bytes(), op + ": " + ops.get(op) + " then " + after.get(op));
        }
        assertTrue(fx(v::summaryText).contains(" · " + second.tokenCount() + " tokens · "), fx(v::summaryText));
    }

    private static Map<String, ProfileRow> byOp(List<ProfileRow> rows) {
        return rows.stream().collect(Collectors.toMap(ProfileRow::op, Function.identity()));
    }
}
