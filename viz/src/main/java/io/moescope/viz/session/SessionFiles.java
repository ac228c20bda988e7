package io.moescope.viz.session;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.moescope.files.CheckpointException;
import io.moescope.files.AtomicFiles;
import io.moescope.files.InputFiles;
import java.io.IOException;
import java.nio.file.Path;

/** Sessions as JSON files (Jackson), written atomically. */
public final class SessionFiles {
    private SessionFiles() {}

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    public static void write(Session s, Path file) throws IOException {
        AtomicFiles.write(file, JSON.writeValueAsBytes(s));
    }

    /** Only a regular file is read: an autosave that is a FIFO would block the FX thread forever. */
    public static Session read(Path file) throws IOException {
        byte[] bytes;
        try {
            bytes = InputFiles.readOwnBytes(file, InputFiles.MAX_JSON_BYTES);
        } catch (CheckpointException e) {
            throw new IOException(e.getMessage(), e);
        }
        Session s = JSON.readValue(bytes, Session.class);
        if (s.version() > Session.VERSION) throw new IOException(file + ": session format " + s.version() + " is newer than this build reads");
        return s;
    }
}
