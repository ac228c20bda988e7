package io.moescope.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.moescope.files.CheckpointException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointExceptionTest {
    @Test
    void namesFromFilesCannotBreakTheMessageIntoLines() {
        var e = new CheckpointException(Path.of("/m/x.safetensors"), "tensor a\nmoescope: forged\r\u2028line missing");
        assertEquals("/m/x.safetensors: tensor a\\nmoescope: forged\\r\\u2028line missing", e.getMessage());
        assertEquals("tensor a\\nmoescope: forged\\r\\u2028line missing", e.problem());
    }

    @Test
    void hugeNamesAreCut() {
        var e = new CheckpointException(null, "tensor " + "x".repeat(10_000_000) + " missing");
        assertTrue(e.getMessage().length() < CheckpointException.MAX_MESSAGE + 100, "" + e.getMessage().length());
        assertTrue(e.getMessage().endsWith("more characters)"), e.getMessage().substring(e.getMessage().length() - 60));
    }

    @Test
    void aNewlineInATensorNameStaysOnOneLine(@TempDir Path dir) {
        Path f = StFiles.raw(dir.resolve("nl.safetensors"), "{'bad\\nname':{'dtype':'F64','shape':[1],'data_offsets':[0,8]}}",
                new byte[8]);
        StFiles.assertRefused(f, "tensor bad\\nname: unknown dtype F64", () -> SafetensorsFile.open(f).close());
    }
}
