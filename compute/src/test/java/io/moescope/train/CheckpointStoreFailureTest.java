package io.moescope.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.moescope.files.CheckpointException;
import io.moescope.checkpoint.TensorData;
import io.moescope.files.InFlightFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A checkpoint that cannot be written whole (a full disk, a failed write) leaves nothing half-written behind. */
class CheckpointStoreFailureTest {
    @TempDir Path out;

    @Test
    void aFailedSaveLeavesNoPartialFolder() throws Exception {
        CheckpointStore store = new CheckpointStore(out, 2);
        // Two tensors of one name: the writer refuses mid-checkpoint, after config.json was written.
        List<TensorData> bad = List.of(TensorData.f32("a", new float[] {1f}, 1), TensorData.f32("a", new float[] {2f}, 1));
        assertThrows(RuntimeException.class, () -> store.save(3, JsonNodeFactory.instance.objectNode(), bad, List.of(),
                new CheckpointStore.State(3, 1.0, Map.of()), Optional.empty()));
        try (Stream<Path> s = Files.list(out)) {
            assertEquals(List.of(), s.toList(), "nothing left in the run folder");
        }
        assertEquals(List.of(), InFlightFiles.pending());
    }

    @Test
    void oldPartialFoldersAreRemovedUnderTheLock() throws Exception {
        Files.createDirectories(out.resolve("checkpoint-000004.partial"));
        try (RunLock lock = Trainer.prepareRunFolder(out, true)) {
            assertTrue(Files.notExists(out.resolve("checkpoint-000004.partial")));
        }
    }

    @Test
    void aTruncatedStateNamesItsFile() throws Exception {
        Path ckpt = Files.createDirectories(out.resolve("checkpoint-000002"));
        Files.writeString(ckpt.resolve("trainer_state.json"), "{\"step\": 2, \"lastL");
        CheckpointException e = assertThrows(CheckpointException.class, () -> CheckpointStore.readState(ckpt));
        assertEquals(ckpt.resolve("trainer_state.json"), e.file());
    }
}
