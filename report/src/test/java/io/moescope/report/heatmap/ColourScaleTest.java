package io.moescope.report.heatmap;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ColourScaleTest {

    @Test
    void logScaleIsEvenInDecades() {
        ColourScale s = ColourScale.log(1e-4, 1);
        assertEquals(0, s.fraction(1e-4), 1e-12);
        assertEquals(0.5, s.fraction(1e-2), 1e-12);
        assertEquals(1, s.fraction(1), 1e-12);
        assertEquals(0, s.fraction(0), 1e-12);
        assertEquals(1e-2, s.valueAt(0.5), 1e-12);
    }

    @Test
    void linearScale() {
        ColourScale s = ColourScale.linear(2, 6);
        assertEquals(0.25, s.fraction(3), 1e-12);
        assertEquals(1, s.fraction(100), 1e-12);
        assertEquals(4, s.valueAt(0.5), 1e-12);
        assertEquals(0, ColourScale.linear(1, 1).fraction(1), 0, "an empty range is not NaN");
    }
}
