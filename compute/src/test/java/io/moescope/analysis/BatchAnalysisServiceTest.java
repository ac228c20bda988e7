package io.moescope.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.moescope.testing.Conformance;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BatchAnalysisServiceTest {

    @Test
    void sumsChunksAndReportsProgress(@TempDir Path dir) throws IOException {
        Path text = dir.resolve("text.txt");
        Files.writeString(text, "In the beginning God created the heaven and the earth. ".repeat(3)); // 165 bytes
        try (LoadedModel m = LoadedModel.open(Conformance.model("mixtral-a"), "java")) {
            List<Long> done = new ArrayList<>();
            BatchAnalysis b = BatchAnalysisService.analyse(m, text, 32, (d, total, msg) -> done.add(d), () -> false);
            assertEquals(5, b.chunks(), "165 tokens in chunks of 32, the partial one left out");
            assertEquals(160, b.tokens());
            assertEquals(List.of(0L, 1L, 2L, 3L, 4L, 5L), done);

            // the totals equal the chunks analysed one by one
            int[] ids = m.encode(Files.readString(text)).ids();
            long[][] want = new long[2][8];
            long dropped = 0;
            for (int c = 0; c < 5; c++) {
                Analysis a = AnalysisService.analyse(m.model(), Arrays.copyOfRange(ids, c * 32, c * 32 + 32));
                for (int i = 0; i < 2; i++) for (int e = 0; e < 8; e++) want[i][e] += a.load().counts()[i][e];
                dropped += a.load().dropped(1.0);
            }
            for (int i = 0; i < 2; i++) assertTrue(Arrays.equals(want[i], b.load().counts()[i]), "layer " + i);
            assertEquals(dropped, b.dropped(1.0));
            assertEquals(320, Arrays.stream(b.load().counts()[0]).sum());
        }
    }

    @Test
    void cancelStopsBetweenChunks(@TempDir Path dir) throws IOException {
        Path text = dir.resolve("text.txt");
        Files.writeString(text, "x".repeat(400));
        AtomicInteger chunks = new AtomicInteger();
        try (LoadedModel m = LoadedModel.open(Conformance.model("mixtral-a"), "java")) {
            assertThrows(CancellationException.class, () -> BatchAnalysisService.analyse(m, text, 16,
                    (d, t, msg) -> chunks.set((int) d), () -> chunks.get() >= 3));
            assertEquals(3, chunks.get());
        }
    }
}
