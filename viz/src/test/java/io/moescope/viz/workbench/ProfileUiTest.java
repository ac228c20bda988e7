package io.moescope.viz.workbench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.moescope.analysis.Analysis;
import io.moescope.viz.view.ProfileRow;
import io.moescope.viz.view.ProfileView;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import javafx.scene.Scene;
import javafx.stage.Stage;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.framework.junit5.Stop;
import org.testfx.util.WaitForAsyncUtils;

/**
 * The Profile tab in the real window on the bundled DeepSeek-V3 sample model, under Xvfb: it shows
 * the operations of the analysis' forward pass, and a longer prompt moves more bytes through them.
 * Times vary from run to run; calls and bytes do not, so those are what is checked.
 */
@EnabledIfEnvironmentVariable(named = "DISPLAY", matches = ".+")
@ExtendWith(ApplicationExtension.class)
class ProfileUiTest {
    private static final String PROMPT = "In the beginning God created the heaven and the earth.";
    private static final String LONGER = PROMPT + " And the earth was without form, and void; and darkness was upon the face of the deep.";
    private static final Path MODEL = Path.of("..", "sample-models", "kjv-deepseek-v3").toAbsolutePath().normalize();

    @TempDir
    static Path settings;

    private WorkbenchWindow window;

    @BeforeAll
    static void isolateSettings() {
        System.setProperty("moescope.settings", settings.toString());
    }

    @Start
    void start(Stage stage) {
        window = new WorkbenchWindow(stage);
        stage.setScene(new Scene(window.root(), 1400, 900));
        stage.show();
        window.open(MODEL, PROMPT);
    }

    @Stop
    void stop() {
        window.close();
    }

    private static <T> T fx(Callable<T> c) throws Exception {
        return WaitForAsyncUtils.asyncFx(c).get(60, TimeUnit.SECONDS);
    }

    private void awaitIdle(Callable<Boolean> done) throws Exception {
        WaitForAsyncUtils.waitFor(180, TimeUnit.SECONDS, () -> fx(() -> window.controller().isIdle() && done.call()));
        WaitForAsyncUtils.waitForFxEvents();
    }

    private ProfileView showProfile() throws Exception {
        fx(() -> {
            window.showView("profile");
            return null;
        });
        WaitForAsyncUtils.waitForFxEvents();
        return (ProfileView) fx(() -> window.view("profile"));
    }

    private static Map<String, ProfileRow> byOp(List<ProfileRow> rows) {
        return rows.stream().collect(Collectors.toMap(ProfileRow::op, Function.identity()));
    }

    @Test
    void showsTheForwardPassOfEachAnalysis() throws Exception {
        awaitIdle(() -> window.state().analysis.get() != null);
        ProfileView view = showProfile();
        Analysis first = fx(() -> window.state().analysis.get());
        List<ProfileRow> rows = fx(view::rows);

        Map<String, ProfileRow> ops = byOp(rows);
        for (String op : List.of("embedding", "rmsNorm", "linear", "attention", "route", "experts")) {
            assertTrue(ops.containsKey(op), op + " missing from " + ops.keySet());
        }
        assertTrue(rows.stream().allMatch(r -> r.calls() > 0), rows::toString);
        assertEquals(100.0, rows.stream().mapToDouble(ProfileRow::percent).sum(), 0.01, rows::toString);
        assertEquals(rows.stream().sorted(Comparator.comparingDouble(ProfileRow::totalMs).reversed()).toList(), rows,
                "slowest first");
        // the profile came with this analysis: its tokens, on the backend the status bar names
        assertTrue(fx(view::summaryText).startsWith("java on "), fx(view::summaryText));
        assertTrue(fx(view::summaryText).contains(" · " + first.tokenCount() + " tokens · "), fx(view::summaryText));
        assertEquals(rows.size(), fx(() -> view.charts().get(0).chart().getCategoryPlot().getDataset().getColumnCount()),
                "a bar per operation");

        fx(() -> {
            window.state().prompt.set(LONGER);   // as typing would: debounced, then analysed
            return null;
        });
        awaitIdle(() -> window.state().analysis.get() != first);
        Analysis second = fx(() -> window.state().analysis.get());
        assertTrue(second.tokenCount() > first.tokenCount());
        Map<String, ProfileRow> after = byOp(fx(view::rows));
        // the same layers run, on more tokens: as many calls, more bytes through each
        for (String op : List.of("linear", "attention", "experts", "rmsNorm")) {
            assertEquals(ops.get(op).calls(), after.get(op).calls(), op);
            assertTrue(after.get(op).bytes() > ops.get(op).bytes(), op + ": " + ops.get(op) + " then " + after.get(op));
        }
        assertTrue(fx(view::summaryText).contains(" · " + second.tokenCount() + " tokens · "), fx(view::summaryText));
    }

    @Test
    void exportsItsChartAsSvg(@TempDir Path dir) throws Exception {
        awaitIdle(() -> window.state().analysis.get() != null);
        ProfileView view = showProfile();
        List<Path> svgs = fx(() -> window.actions().exportSvg(view, dir));
        assertEquals(List.of(dir.resolve("profile.svg")), svgs);
        var doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(svgs.get(0).toFile());
        assertEquals("svg", doc.getDocumentElement().getTagName());
        assertNotEquals(0, doc.getElementsByTagName("text").getLength(), "labels drawn");
    }
}
