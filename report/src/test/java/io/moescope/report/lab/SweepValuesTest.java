package io.moescope.report.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.moescope.lab.NumberFormat;
import io.moescope.lab.SweepKind;
import java.util.List;
import org.junit.jupiter.api.Test;

class SweepValuesTest {
    @Test
    void numbersAndFormatNames() {
        assertEquals(List.of(1.0, 2.0, 4.0), SweepValues.parse(SweepKind.TOPK, "1, 2,4"));
        assertEquals(List.of(0.5, 1.25), SweepValues.parse(SweepKind.CAPACITY, "0.5,1.25"));
        assertEquals(List.of((double) NumberFormat.BF16.ordinal(), (double) NumberFormat.INT4_G32.ordinal()),
                SweepValues.parse(SweepKind.PRECISION, "bf16,int4-g32"));
        assertEquals(List.of(), SweepValues.parse(SweepKind.WINDOW, null));
    }

    @Test
    void badValuesNameTheProblem() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> SweepValues.parse(SweepKind.TOPK, "1,x"))
                .getMessage().contains("'x' is not a number"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> SweepValues.parse(SweepKind.WINDOW, "1.5"))
                .getMessage().contains("whole numbers"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> SweepValues.parse(SweepKind.TOPK, "1,,2"))
                .getMessage().contains("empty entry"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> SweepValues.parse(SweepKind.PRECISION, "fp7"))
                .getMessage().contains("unknown number format 'fp7'"));
        assertThrows(IllegalArgumentException.class, () -> SweepValues.parse(SweepKind.TOPK, "0"));
        assertThrows(IllegalArgumentException.class, () -> SweepValues.parse(SweepKind.CAPACITY, "-1"));
    }
}
