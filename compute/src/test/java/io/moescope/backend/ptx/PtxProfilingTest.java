package io.moescope.backend.ptx;

import io.moescope.backend.Backend;
import io.moescope.backend.profile.DeviceEventProfiling;

/** The profile of PTX work comes from CUDA events around each launch. */
class PtxProfilingTest extends DeviceEventProfiling {
    @Override
    protected Backend backend() {
        return PtxTesting.backend();
    }
}
