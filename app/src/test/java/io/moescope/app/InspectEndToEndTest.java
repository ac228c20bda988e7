package io.moescope.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.moescope.testing.Conformance;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * End-to-end {@code moescope inspect} on mixtral-a: command line, InspectService and
 * SafetensorsWriter together. (Written ahead of InspectService, for the lead to extend with the
 * full output contract.) The header is read by hand so that this test depends only on the format.
 */
class InspectEndToEndTest {

    @Test
    void writesLogitsForEveryToken(@TempDir Path dir) throws IOException {
        Path out = dir.resolve("run.safetensors");
        Cli r = Cli.run("inspect", "--model", Conformance.dir().resolve("mixtral-a").toString(),
                "--ids", "5,17,42", "--out", out.toString());
        assertEquals(0, r.exitCode(), r::toString);

        JsonNode header = header(out);
        JsonNode logits = header.get("logits");
        assertTrue(logits != null, "no logits in " + header.fieldNames());
        assertEquals("F32", logits.get("dtype").asText());
        assertEquals("[3,384]", logits.get("shape").toString());
        assertEquals("5,17,42", header.path("__metadata__").path("input_ids").asText());
    }

    private static JsonNode header(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file)) {
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            while (len.hasRemaining()) if (ch.read(len) < 0) throw new IOException("truncated");
            ByteBuffer json = ByteBuffer.allocate(Math.toIntExact(len.getLong(0)));
            while (json.hasRemaining()) if (ch.read(json) < 0) throw new IOException("truncated");
            return new ObjectMapper().readTree(new String(json.array(), StandardCharsets.UTF_8));
        }
    }
}
