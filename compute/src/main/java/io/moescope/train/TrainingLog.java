package io.moescope.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.moescope.files.CheckpointException;
import io.moescope.files.InputFiles;
import io.moescope.files.IoProblems;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The JSONL training log, one object per logged step, which the workbench plays back. On resume
 * the lines after the resumed step are dropped so that the log reads as one uninterrupted run.
 */
public final class TrainingLog implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Path file;
    private final BufferedWriter out;

    private TrainingLog(Path file, BufferedWriter out) {
        this.file = file;
        this.out = out;
    }

    public static TrainingLog open(Path file, int resumedStep) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            if (Files.exists(file)) {
                List<String> kept = new ArrayList<>();
                String text = new String(InputFiles.readOwnBytes(file, InputFiles.MAX_TEXT_BYTES), StandardCharsets.UTF_8);
                for (String line : text.split("\\R")) {
                    if (line.isBlank()) continue;
                    try {
                        if (JSON.readTree(line).path("step").asInt(Integer.MAX_VALUE) <= resumedStep) kept.add(line);
                    } catch (IOException partialLine) {
                        // a line cut short by a kill: drop it
                    }
                }
                io.moescope.files.AtomicFiles.writeString(file, kept.isEmpty() ? "" : String.join("\n", kept) + "\n");
            }
            return new TrainingLog(file, Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND));
        } catch (IOException e) {
            throw new CheckpointException(file, "cannot write the training log: " + IoProblems.describe(e), e);
        }
    }

    public void write(Map<String, Object> entry) {
        try {
            out.write(JSON.writeValueAsString(entry));
            out.newLine();
            out.flush();
        } catch (IOException e) {
            throw new CheckpointException(file, "cannot write the training log: " + IoProblems.describe(e), e);
        }
    }

    public static List<Map<String, Object>> read(Path file) throws IOException {
        List<Map<String, Object>> rows = new ArrayList<>();
        String text = new String(InputFiles.readOwnBytes(file, InputFiles.MAX_TEXT_BYTES), StandardCharsets.UTF_8);
        for (String line : text.split("\\R")) {
            if (!line.isBlank()) rows.add(JSON.readValue(line, new com.fasterxml.jackson.core.type.TypeReference<Map<String, Object>>() {}));
        }
        return rows;
    }

    @Override
    public void close() {
        try {
            out.close();
        } catch (IOException e) {
            throw new CheckpointException(file, "cannot write the training log: " + IoProblems.describe(e), e);
        }
    }
}
