package io.moescope.backend.opencl;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** The OpenCL C sources of all kernels, read from the classpath and joined into one program. */
final class KernelSource {
    private KernelSource() {}

    /** common.cl first: the others use its helpers. */
    private static final String[] FILES = {"common.cl", "elementwise.cl", "norm.cl", "rope.cl", "attention.cl",
            "routing.cl", "experts.cl", "gemm.cl", "loss.cl", "optim.cl"};

    /** The products alone, for a second program with another tile configuration. */
    private static final String[] GEMM_FILES = {"common.cl", "gemm.cl"};

    /** Attention alone, for a second program with another flash tile. */
    private static final String[] ATTENTION_FILES = {"common.cl", "attention.cl"};

    static String program() {
        return join(FILES);
    }

    static String gemm() {
        return join(GEMM_FILES);
    }

    static String attention() {
        return join(ATTENTION_FILES);
    }

    private static String join(String[] files) {
        StringBuilder sb = new StringBuilder();
        for (String f : files) {
            try (InputStream in = KernelSource.class.getResourceAsStream(f)) {
                if (in == null) throw new IllegalStateException("kernel source " + f + " missing from the classpath");
                sb.append("// ---- ").append(f).append('\n');
                sb.append(new String(in.readAllBytes(), StandardCharsets.UTF_8)).append('\n');
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read kernel source " + f, e);
            }
        }
        return sb.toString();
    }
}
