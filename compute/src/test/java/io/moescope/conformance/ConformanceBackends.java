package io.moescope.conformance;

import io.moescope.backend.Backend;
import io.moescope.backend.java.JavaBackend;
import io.moescope.backend.opencl.OpenClTesting;
import io.moescope.backend.ptx.PtxTesting;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.provider.Arguments;

/**
 * The backends the conformance suites run on, and how each opens here. OpenCL and PTX open through
 * OpenClTesting and PtxTesting, so the suites share one backend with the other tests of the run and
 * keep their rules: OpenCL skips where it is missing, and fails there under MOESCOPE_REQUIRE_OPENCL=1
 * (CI installs PoCL and sets it); PTX skips where there is no NVIDIA driver (as on CI).
 */
final class ConformanceBackends {
    private ConformanceBackends() {}

    /**
     * Which backends run, comma separated, e.g. "java,ptx" where OpenCL is deliberately absent
     * (tools/device/ptx-run.sh); the others' rows skip. Unset: all.
     */
    static final String SELECTED = "moescope.conformance.backends";

    static final List<ConformanceBackend> ALL = List.of(
            new ConformanceBackend("java", "Java", ConformanceBackends::java, Tolerances.README),
            new ConformanceBackend("opencl", "OpenCL", () -> OpenClTesting.backend(), Tolerances.README),
            new ConformanceBackend("ptx", "PTX", () -> PtxTesting.backend(), Tolerances.README));

    private static JavaBackend java;

    /** One java backend for the run, like the GPU ones (its pool's threads are daemons). */
    private static synchronized JavaBackend java() {
        if (java == null) java = new JavaBackend();
        return java;
    }

    /** Every backend with every model, backend by backend, the model named by its folder. */
    static Stream<Arguments> crossedWith(List<Path> models) {
        return ALL.stream().flatMap(b -> models.stream().map(m -> Arguments.of(b, Named.of(m.getFileName().toString(), m))));
    }

    /** The backend for the calling test, or a skip that says why it does not run. */
    static Backend open(ConformanceBackend b) {
        String selected = System.getProperty(SELECTED);
        Assumptions.assumeTrue(selected == null || Arrays.asList(selected.strip().split("\\s*,\\s*")).contains(b.name()),
                () -> b.name() + " is not among -D" + SELECTED + "=" + selected);
        return b.opener().get();
    }
}
