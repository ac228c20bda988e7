package io.moescope.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class PageFaultsTest {

    @Test
    void theTenthFieldCountedAfterTheCommandName() {
        assertEquals(OptionalLong.of(124), PageFaults.parse("2565 (cat) R 2562 2562 16989 0 -1 4194304 124 0 0 0 0 0 0 0 20 0 1 0"));
        // A command name may hold spaces and parentheses of its own.
        assertEquals(OptionalLong.of(987654), PageFaults.parse("7 (a) b (c) S 1 7 7 0 -1 4194560 987654 3 0 0 5 1 0 0 20 0"));
    }

    @Test
    void malformedLinesGiveNothing() {
        assertEquals(OptionalLong.empty(), PageFaults.parse(""));
        assertEquals(OptionalLong.empty(), PageFaults.parse("1 (x) R 1 2"));
        assertEquals(OptionalLong.empty(), PageFaults.parse("1 (x) R 1 2 3 4 5 6 many 8"));
    }

    @Test
    void freshMemoryCountsItsPages() {
        OptionalLong before = PageFaults.minor();
        assertTrue(before.isPresent(), "Linux gives /proc/self/stat");
        // 64 MB never touched before: at least one fault per 2 MB page, even with huge pages.
        ByteBuffer fresh = ByteBuffer.allocateDirect(64 << 20);
        for (int i = 0; i < fresh.capacity(); i += 4096) fresh.put(i, (byte) 1);
        long taken = PageFaults.minor().getAsLong() - before.getAsLong();
        assertTrue(taken >= 32, taken + " faults for 64 MB of fresh memory");
    }
}
