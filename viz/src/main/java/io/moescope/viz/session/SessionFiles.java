package io.moescope.viz.session;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.moescope.files.AtomicFiles;
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

    public static Session read(Path file) throws IOException {
        Session s = JSON.readValue(file.toFile(), Session.class);
        if (s.version() > Session.VERSION) throw new IOException(file + ": session format " + s.version() + " is newer than this build reads");
        return s;
    }
}
