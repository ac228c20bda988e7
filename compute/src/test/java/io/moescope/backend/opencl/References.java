package io.moescope.backend.opencl;

import io.moescope.backend.java.JavaBackend;

/** The reference backend the OpenCL results are compared with, shared by the test classes. */
final class References {
    private References() {}

    private static JavaBackend java;

    static synchronized JavaBackend java() {
        if (java == null) java = new JavaBackend(2);
        return java;
    }
}
