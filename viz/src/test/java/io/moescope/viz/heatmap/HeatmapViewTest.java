package io.moescope.viz.heatmap;

import static io.moescope.viz.FxCalls.fx;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.moescope.report.heatmap.ColourMap;
import io.moescope.report.heatmap.ColourScale;
import javafx.scene.Scene;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;

/**
 * The heatmap's screen raster, which is drawn straight into the image's buffer, pooled to the
 * screen and coloured through lookup tables: every pixel must still be the colour the scale gives
 * the cell (or the largest of the cells) it shows.
 */
@ExtendWith(ApplicationExtension.class)
class HeatmapViewTest {
    /** Cells' area in pixels: the view adds a 4-pixel margin and has no labels here. */
    private static final int SIDE = 200;

    private HeatmapView view;

    @Start
    void start(Stage stage) {
        view = new HeatmapView();
        stage.setScene(new Scene(view, SIDE + 4, SIDE + 4));
        stage.show();
    }

    /** Pixels after drawing values with the scale (layout first, so that the raster has its final size). */
    private int[] draw(float[] values, int offset, int rows, int cols, ColourScale scale) throws Exception {
        return fx(() -> {
            view.setData(values, offset, rows, cols, scale);
            view.layout();
            assertEquals(SIDE, view.pixelWidth(), "one pixel per layout pixel off screen");
            return view.pixels();
        });
    }

    /** The pixel in the middle of cell (r, c) of an n x n map that fills the raster. */
    private static int centre(int[] px, int n, int r, int c) {
        int cell = SIDE / n;
        return px[(r * cell + cell / 2) * SIDE + c * cell + cell / 2];
    }

    @Test
    void linearScaleColoursEveryCellAsTheScaleDoes() throws Exception {
        int n = 4;
        float[] v = new float[n * n];
        for (int i = 0; i < v.length; i++) v[i] = i / 15f * 3 - 0.5f;   // -0.5 .. 2.5, so both ends are clamped
        ColourScale s = ColourScale.linear(0, 2);
        int[] px = draw(v, 0, n, n, s);
        for (int r = 0; r < n; r++) {
            for (int c = 0; c < n; c++) {
                assertEquals(s.argb(v[r * n + c]), centre(px, n, r, c), "cell " + r + "," + c + " = " + v[r * n + c]);
            }
        }
        assertEquals(ColourMap.RAMP[0], centre(px, n, 0, 0));
        assertEquals(ColourMap.RAMP[255], centre(px, n, 3, 3));
    }

    @Test
    void logScaleColoursEveryCellAsTheScaleDoes() throws Exception {
        // values at the middle of ramp steps (so a table lookup and a logarithm must agree), plus
        // zero, a negative value and one above the maximum
        ColourScale s = ColourScale.log(1e-4, 1);
        int n = 4;
        float[] v = new float[n * n];
        for (int i = 0; i < 13; i++) v[i] = (float) s.valueAt(i * 20 / 255.0);
        v[13] = 0;
        v[14] = -1;
        v[15] = 7;
        int[] px = draw(v, 0, n, n, s);
        for (int i = 0; i < v.length; i++) {
            assertEquals(s.argb(v[i]), centre(px, n, i / n, i % n), "value " + v[i]);
        }
        assertEquals(ColourMap.RAMP[20], centre(px, n, 0, 1));
        assertEquals(ColourMap.RAMP[0], centre(px, n, 3, 1), "zero takes the lowest colour");
        assertEquals(ColourMap.RAMP[255], centre(px, n, 3, 3), "above the maximum takes the highest");
    }

    @Test
    void zoomedOutASingleHotCellStaysVisible() throws Exception {
        // 2048 tokens on 200 pixels: about ten cells per pixel each way; only one cell is not zero
        int n = 2048, hotRow = 1234, hotCol = 777;
        float[] v = new float[n * n];
        v[hotRow * n + hotCol] = 0.75f;
        for (ColourScale s : new ColourScale[]{ColourScale.linear(0, 1), ColourScale.log(1e-4, 1)}) {
            int[] px = draw(v, 0, n, n, s);
            int hot = s.argb(0.75f), cold = s.argb(0), hits = 0, at = -1;
            for (int i = 0; i < px.length; i++) {
                if (px[i] == hot) {
                    hits++;
                    at = i;
                } else {
                    assertEquals(cold, px[i], s.kind() + ": pixel " + i);
                }
            }
            assertEquals(1, hits, s.kind() + ": the hot cell is exactly one pixel");
            assertEquals(hotRow * SIDE / n, at / SIDE, s.kind() + ": its row");
            assertEquals(hotCol * SIDE / n, at % SIDE, s.kind() + ": its column");
        }
    }

    @Test
    void anOffsetShowsThatMapAndDifferentMapsGiveDifferentPixels() throws Exception {
        int n = 8;
        float[] two = new float[2 * n * n];
        for (int i = 0; i < n * n; i++) {
            two[i] = (i % n) / (float) n;             // first map: rising to the right
            two[n * n + i] = (i / n) / (float) n;     // second map: rising downwards
        }
        ColourScale s = ColourScale.linear(0, 1);
        int[] first = draw(two, 0, n, n, s), second = draw(two, n * n, n, n, s);
        assertNotEquals(centre(first, n, 0, 7), centre(second, n, 0, 7));
        for (int r = 0; r < n; r++) {
            for (int c = 0; c < n; c++) assertEquals(s.argb(two[n * n + r * n + c]), centre(second, n, r, c));
        }
    }

    @Test
    void highlightingLeavesTheCellsAlone() throws Exception {
        int n = 4;
        float[] v = new float[n * n];
        for (int i = 0; i < v.length; i++) v[i] = i / 16f;
        int[] before = draw(v, 0, n, n, ColourScale.linear(0, 1));
        int[] after = fx(() -> {
            view.setHighlight(1, 2);
            view.layout();
            return view.pixels();
        });
        assertTrue(java.util.Arrays.equals(before, after), "the outline is drawn over the image, not into it");
    }
}
