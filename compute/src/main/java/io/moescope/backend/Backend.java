package io.moescope.backend;

/**
 * Every operation the models run, for one device, in four roles: {@link TensorMemory},
 * {@link ForwardOps}, {@link BackwardOps} and {@link OptimizerOps}. Models call this interface and
 * never a backend class directly, so the CPU, OpenCL and CUDA backends are interchangeable.
 * A new operation goes into the role it belongs to, its backends' op classes, and
 * {@link ForwardingBackend}.
 */
public interface Backend extends TensorMemory, ForwardOps, BackwardOps, OptimizerOps, AutoCloseable {

    /** Short name used on the command line: java, opencl, ptx. */
    String name();

    /** The device this backend runs on, for `moescope devices` and the status bar. */
    DeviceInfo device();

    @Override
    default void close() {}
}
