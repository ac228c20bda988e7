package io.moescope.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.moescope.backend.BackendUnavailableException;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

/** The switch .ci/run turns: without it a missing OpenCL skips, with it the test fails. */
class OpenClRequirementTest {
    private static final BackendUnavailableException MISSING = new BackendUnavailableException("no OpenCL platform found");

    @Test
    void withoutTheVariableAMissingOpenClSkips() {
        TestAbortedException skip = OpenClRequirement.unavailable(MISSING, null);
        assertEquals("OpenCL is not available here: no OpenCL platform found", skip.getMessage());
        assertTrue(OpenClRequirement.unavailable(MISSING, "0") instanceof TestAbortedException, "only 1 asks for OpenCL");
    }

    @Test
    void withTheVariableAMissingOpenClFails() {
        AssertionFailedError e = assertThrows(AssertionFailedError.class, () -> OpenClRequirement.unavailable(MISSING, "1"));
        assertTrue(e.getMessage().contains("MOESCOPE_REQUIRE_OPENCL=1"), e.getMessage());
        assertEquals(MISSING, e.getCause());
    }

    @Test
    void anOpenerThatWorksIsReturned() {
        assertEquals("backend", OpenClRequirement.open(() -> "backend"));
    }
}
