package io.moescope.report.heatmap;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class PaletteTest {
    @Test
    void expertsStartWithTheOkabeItoColoursAndAllDiffer() {
        assertEquals(0xff0072b2, Palette.expert(0), "Okabe-Ito blue");
        assertEquals(0xffe69f00, Palette.expert(1), "Okabe-Ito orange");
        assertEquals(0xff000000, Palette.expert(7), "Okabe-Ito black");
        assertEquals(Palette.EXPERTS.length, Arrays.stream(Palette.EXPERTS).distinct().count());
        assertEquals(Palette.expert(0), Palette.expert(Palette.EXPERTS.length), "colours repeat after the palette");
    }
}
