package io.moescope.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.moescope.testing.Conformance;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Opens the real window and checks its screenshot, rendered off screen as gui --screenshot always is
 * (no display needed). JavaFX starts once per JVM, so this must stay the only test here that opens
 * the window; ReadmeExamplesTest runs its screenshot in a JVM of its own.
 */
class GuiScreenshotTest {

    @Test
    void screenshotShowsTheWindow(@TempDir Path dir) throws IOException {
        Path png = dir.resolve("window.png");
        Cli r = Cli.run("gui", "--model", Conformance.dir().resolve("mixtral-a").toString(), "--text", "In the beginning",
                "--view", "routing", "--screenshot", png.toString());
        assertEquals(0, r.exitCode(), r::toString);

        assertTrue(Files.isRegularFile(png), "no screenshot written");
        BufferedImage image = ImageIO.read(png.toFile());
        assertNotNull(image, "not a readable PNG");
        assertEquals(1400, image.getWidth());
        assertEquals(900, image.getHeight());
        // the routing grid colours tokens by expert: the expert palette's colours must be there
        Set<Integer> colours = colours(image);
        long experts = java.util.Arrays.stream(io.moescope.report.heatmap.Palette.EXPERTS).filter(colours::contains).count();
        assertTrue(experts >= 2, "routing view with data: " + experts + " expert colours");
        assertTrue(distinctColours(image) >= 8, "the screenshot is (nearly) one colour");
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count(), "temp file left behind");
        }
    }

    private static int distinctColours(BufferedImage image) {
        return colours(image).size();
    }

    private static Set<Integer> colours(BufferedImage image) {
        Set<Integer> colours = new HashSet<>();
        for (int y = 0; y < image.getHeight(); y += 2) {
            for (int x = 0; x < image.getWidth(); x += 2) colours.add(image.getRGB(x, y));
        }
        return colours;
    }
}
