package io.moescope.backend.opencl;

import io.moescope.backend.Backend;
import io.moescope.backend.profile.DeviceEventProfiling;

/** The profile of OpenCL work comes from the queue's profiling events. */
class OpenClProfilingTest extends DeviceEventProfiling {
    @Override
    protected Backend backend() {
        return OpenClTesting.backend();
    }
}
