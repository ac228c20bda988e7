package io.moescope.app;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/** The version Maven filtered into version.properties, so it never drifts from the pom. */
final class Version implements IVersionProvider {

    static String get() {
        Properties p = new Properties();
        try (InputStream in = Version.class.getResourceAsStream("version.properties")) {
            if (in != null) p.load(in);
        } catch (IOException e) {
            // An unreadable resource only costs the version string.
        }
        return p.getProperty("version", "unknown");
    }

    @Override
    public String[] getVersion() {
        return new String[] {"moescope " + get(), "Java " + Runtime.version() + " (" + System.getProperty("java.vendor") + ")"};
    }
}
