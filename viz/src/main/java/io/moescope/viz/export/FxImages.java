package io.moescope.viz.export;

import java.awt.image.BufferedImage;
import javafx.scene.Node;
import javafx.scene.SnapshotParameters;
import javafx.scene.image.Image;
import javafx.scene.image.PixelFormat;
import javafx.scene.image.WritableImage;
import javafx.scene.paint.Color;
import javafx.scene.transform.Transform;

/**
 * JavaFX images to AWT ones. javafx.swing (SwingFXUtils) is not among our modules, so the pixels
 * are copied by hand; ImageIO then encodes them.
 */
public final class FxImages {
    private FxImages() {}

    public static BufferedImage toAwt(Image fx) {
        int w = (int) fx.getWidth(), h = (int) fx.getHeight();
        int[] argb = new int[w * h];
        fx.getPixelReader().getPixels(0, 0, w, h, PixelFormat.getIntArgbInstance(), argb, 0, w);
        BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_INT_ARGB);
        image.setRGB(0, 0, w, h, argb, 0, w);
        return image;
    }

    /** A node as it looks now, at the given scale (2 for crisp figures on high-density screens and in print). FX thread only. */
    public static BufferedImage snapshot(Node node, double scale) {
        SnapshotParameters p = new SnapshotParameters();
        p.setTransform(Transform.scale(scale, scale));
        p.setFill(Color.WHITE);
        WritableImage img = node.snapshot(p, null);
        return toAwt(img);
    }
}
