package io.moescope.backend.opencl;

import io.moescope.backend.BackendUnavailableException;

/** Run in a JVM that sees no OpenCL platform: prints what open() says, and what devices() lists. */
public final class NoPlatformProbe {
    private NoPlatformProbe() {}

    public static void main(String[] args) {
        System.out.println("devices: " + OpenClBackend.devices().size());
        try (OpenClBackend b = OpenClBackend.open()) {
            System.out.println("opened " + b.device().name());
        } catch (BackendUnavailableException e) {
            System.out.println("unavailable: " + e.getMessage());
        }
    }
}
