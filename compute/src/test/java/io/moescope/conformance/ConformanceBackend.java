package io.moescope.conformance;

import io.moescope.backend.Backend;
import java.util.function.Supplier;

/**
 * One backend of the conformance suites.
 *
 * @param name the --backend name, shown in test names and matched by -Dmoescope.conformance.backends
 * @param label how the report lines name it (the GPU scripts grep "PTX conformance" and "PTX gradient")
 * @param opener the backend for the whole test run; fails or skips the calling test, with the reason,
 *     where the backend cannot open on this machine
 * @param tolerances how close it must come to transformers
 */
record ConformanceBackend(String name, String label, Supplier<? extends Backend> opener, Tolerances tolerances) {

    @Override
    public String toString() {
        return name;
    }
}
