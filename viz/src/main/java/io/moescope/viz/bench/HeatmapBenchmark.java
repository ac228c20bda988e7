package io.moescope.viz.bench;

import io.moescope.report.heatmap.ColourScale;
import io.moescope.viz.heatmap.HeatmapView;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;
import javafx.animation.AnimationTimer;
import javafx.application.Platform;
import javafx.scene.Scene;
import javafx.stage.Stage;

/**
 * What a user waits for when the large attention map of 2048 tokens changes: from the moment the
 * change is made on the FX thread (another head, the other colour scale, a zoom step), at the start
 * of a pulse, until the frame that shows it has been drawn and presented by JavaFX's render thread
 * (see {@link FrameClock}). So it includes the FX thread's own work, the pulse (CSS, layout,
 * scene-graph sync) and the renderer's texture upload, compositing and presenting; not the wait
 * for the next 60 Hz pulse that any change shares. The frame interval while another head is drawn
 * in every pulse says whether redrawing keeps up with 60 frames a second. The map is shown as in the workbench: square cells,
 * token labels on both axes, alone in a square window of two sizes: 600 x 600, where the cells
 * take about the 540 pixels square the large map gets in the workbench's default 1400 x 900
 * window, and 1000 x 1000 (about 940 pixels square, a maximised window). Each sample starts from a quiet scene (no
 * frame in flight), and every change really changes the picture: two heads with different
 * patterns alternate, so nothing is served from a cache.
 */
final class HeatmapBenchmark {
    private HeatmapBenchmark() {}

    static final int TOKENS = 2048;

    static void run(int runs, PrintWriter out) throws Exception {
        for (int window : new int[]{600, 1000}) run(runs, window, out);
    }

    private static void run(int runs, int window, PrintWriter out) throws Exception {
        float[][] heads = {syntheticAttention(TOKENS, 0.05, 1), syntheticAttention(TOKENS, 0.5, 2)};
        ColourScale log = ColourScale.log(ColourScale.LOG_FLOOR, 1), linear = ColourScale.linear(0, 1);
        List<String> labels = new ArrayList<>();
        for (int i = 0; i < TOKENS; i++) labels.add("tok" + i);
        Object[] made = FxThread.call(() -> {
            HeatmapView v = new HeatmapView();
            v.setSquare(true);
            v.setLabels(labels, labels);
            Stage stage = new Stage();
            Scene scene = new Scene(v, window, window);
            stage.setScene(scene);
            stage.show();
            v.setData(heads[0], TOKENS, TOKENS, log);
            return new Object[]{v, new FrameClock(scene), stage};
        });
        HeatmapView view = (HeatmapView) made[0];
        FrameClock clock = (FrameClock) made[1];

        // state the changes flip between
        int[] head = {0};
        boolean[] logScale = {true};
        boolean[] zoomedIn = {false};
        IntConsumer headChange = i -> {
            head[0] ^= 1;
            view.setData(heads[head[0]], TOKENS, TOKENS, logScale[0] ? log : linear);
        };
        IntConsumer scaleChange = i -> {
            logScale[0] = !logScale[0];
            view.setData(heads[head[0]], TOKENS, TOKENS, logScale[0] ? log : linear);
        };
        IntConsumer zoom = i -> {
            zoomedIn[0] = !zoomedIn[0];
            view.zoomAt(window * 0.4, window * 0.4, zoomedIn[0] ? 1 / 1.25 : 1.25);
        };
        for (int i = 0; i < 6; i++) {   // warm-up: JIT and textures
            sample(clock, headChange, i);
            sample(clock, scaleChange, i);
            sample(clock, zoom, i);
        }
        int side = FxThread.call(view::pixelWidth);
        out.println("2. attention heatmap, " + TOKENS + " x " + TOKENS + " tokens in a " + window + " x " + window
                + " window (cells " + side + " pixels square): from the change on the FX thread to its frame drawn and presented"
                + " (FX work + pulse + renderer), the change made at the start of a pulse:");
        report(out, "another head ", clock, headChange, runs);
        report(out, "other scale  ", clock, scaleChange, runs);
        report(out, "zoom step    ", clock, zoom, runs);
        List<Double> frames = frameIntervals(view, heads, log, Math.max(30, runs));
        out.println("   frame interval while a different head is drawn in every frame: " + Timings.summary(frames));
        out.flush();
        FxThread.call(() -> {
            ((Stage) made[2]).close();
            return null;
        });
    }

    private static void report(PrintWriter out, String what, FrameClock clock, IntConsumer change, int runs) throws Exception {
        List<List<Double>> figures = new ArrayList<>();
        for (int f = 0; f < 5; f++) figures.add(new ArrayList<>());
        for (int i = 0; i < runs; i++) {
            double[] s = sample(clock, change, i);
            for (int f = 0; f < 5; f++) figures.get(f).add(s[f]);
        }
        String pad = "   " + " ".repeat(what.length());
        out.println("   " + what + "on screen after " + Timings.summary(figures.get(0)));
        out.println(pad + "the change itself on the FX thread " + Timings.summary(figures.get(1)));
        out.println(pad + "CPU time until on screen: FX thread " + Timings.summary(figures.get(2)));
        out.println(pad + "                          workers   " + Timings.summary(figures.get(3)));
        out.println(pad + "                          renderer  " + Timings.summary(figures.get(4)));
    }

    /**
     * One change from a quiet scene: {time until its frame is on screen, wall time of the change
     * itself on the FX thread, and the CPU time the FX thread, the worker threads (the common
     * fork-join pool) and the render thread spent until the frame was on screen}. The CPU times
     * are what the machine's other load does not inflate.
     */
    private static double[] sample(FrameClock clock, IntConsumer change, int i) throws Exception {
        clock.awaitQuiet(40);
        long[] cpu0 = Cpu.now();
        // The change is made at the start of a pulse (as an animation would), so the time does not
        // include waiting up to one frame (16.7 ms) for the next pulse, which a change posted at a
        // random moment also waits.
        CompletableFuture<long[]> done = new CompletableFuture<>();
        Platform.runLater(() -> new AnimationTimer() {
            @Override
            public void handle(long now) {
                stop();
                long n = clock.frames(), t0 = System.nanoTime();
                change.accept(i);
                done.complete(new long[]{n, t0, System.nanoTime()});
            }
        }.start());
        long[] t = done.get(30, TimeUnit.SECONDS);
        long shown = clock.awaitFrameAfter(t[0]);
        long[] cpu1 = Cpu.now();
        return new double[]{(shown - t[1]) / 1e6, (t[2] - t[1]) / 1e6,
                (cpu1[0] - cpu0[0]) / 1e6, (cpu1[1] - cpu0[1]) / 1e6, (cpu1[2] - cpu0[2]) / 1e6};
    }

    /** Draws the other head in every pulse and records the time between pulses. */
    private static List<Double> frameIntervals(HeatmapView view, float[][] heads, ColourScale scale, int frames) throws InterruptedException {
        List<Double> out = new ArrayList<>();
        CountDownLatch done = new CountDownLatch(1);
        Platform.runLater(() -> new AnimationTimer() {
            private long last;
            private int n;

            @Override
            public void handle(long now) {
                if (last != 0) out.add((now - last) / 1e6);
                last = now;
                view.setData(heads[n++ % 2], TOKENS, TOKENS, scale);
                if (out.size() >= frames) {
                    stop();
                    done.countDown();
                }
            }
        }.start());
        if (!done.await(120, TimeUnit.SECONDS)) throw new IllegalStateException("frames did not come");
        return out.subList(Math.min(3, out.size() - 1), out.size());   // the first frames include warm-up
    }

    /** Causal rows decaying with distance at the given rate, normalised: the texture a real attention map has. */
    static float[] syntheticAttention(int T, double decay, long seed) {
        float[] v = new float[T * T];
        Random r = new Random(seed);
        for (int q = 0; q < T; q++) {
            double sum = 0;
            for (int k = 0; k <= q; k++) {
                v[q * T + k] = (float) (Math.exp(-decay * (q - k)) * r.nextDouble() + 1e-6);
                sum += v[q * T + k];
            }
            for (int k = 0; k <= q; k++) v[q * T + k] /= (float) sum;
        }
        return v;
    }
}
