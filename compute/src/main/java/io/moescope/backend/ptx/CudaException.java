package io.moescope.backend.ptx;

/** A CUDA driver or NVRTC call that failed; the message names the call and the library's own error text. */
public final class CudaException extends RuntimeException {
    private final int code;

    CudaException(String message, int code) {
        super(message);
        this.code = code;
    }

    /** The CUresult or nvrtcResult; 0 where the failure was not a return code. */
    public int code() {
        return code;
    }
}
