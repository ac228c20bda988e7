package io.moescope.app;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class TokenIdsTest {

    @Test
    void parsesCommaSeparatedIds() {
        assertArrayEquals(new int[] {5, 17, 42}, TokenIds.parse("5,17,42"));
        assertArrayEquals(new int[] {5, 17}, TokenIds.parse(" 5, 17 "));
        assertArrayEquals(new int[] {0}, TokenIds.parse("0"));
    }

    @Test
    void refusesWhatIsNotAnId() {
        for (String bad : new String[] {"5,,6", "5,", "-1", "+3", "1.5", "a", "99999999999"}) {
            assertThrows(IllegalArgumentException.class, () -> TokenIds.parse(bad), bad);
        }
    }

    @Test
    void emptyIsEmptyInput() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TokenIds.parse(" "));
        assertEquals(true, e.getMessage().startsWith("empty input"));
    }

    @Test
    void formats() {
        assertEquals("[42,79,260]", TokenIds.json(new int[] {42, 79, 260}));
        assertEquals("[]", TokenIds.json(new int[0]));
        assertEquals("1,2", TokenIds.csv(new int[] {1, 2}));
    }
}
