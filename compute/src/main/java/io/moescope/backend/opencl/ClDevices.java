package io.moescope.backend.opencl;

import static org.jocl.CL.*;

import io.moescope.backend.BackendUnavailableException;
import io.moescope.backend.DeviceInfo;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.jocl.CL;
import org.jocl.CLException;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_device_id;
import org.jocl.cl_platform_id;

/** Finds the OpenCL devices of every installed platform, turning a missing runtime into advice. */
final class ClDevices {
    private ClDevices() {}

    static final String INSTALL_HINT = "install your GPU's OpenCL driver, or pocl-opencl-icd and ocl-icd-opencl-dev "
            + "(Debian/Ubuntu package names) to run OpenCL on the CPU";

    /** One device, with what opening it needs. */
    record Found(cl_platform_id platform, cl_device_id device, DeviceInfo info, boolean gpu) {}

    /** Every device of every platform, in platform order; empty when no platform is installed. */
    static List<Found> all() {
        try {
            CL.setExceptionsEnabled(true);
            List<Found> found = new ArrayList<>();
            for (cl_platform_id p : platforms()) {
                for (cl_device_id d : devices(p)) found.add(describe(p, d));
            }
            return found;
        } catch (LinkageError e) {
            // JOCL's native stub loads libOpenCL.so (the ICD loader) itself; without it we land here.
            throw new BackendUnavailableException("the OpenCL runtime library could not be loaded (" + e.getMessage()
                    + "): " + INSTALL_HINT, e);
        }
    }

    private static List<cl_platform_id> platforms() {
        int[] n = new int[1];
        try {
            clGetPlatformIDs(0, null, n);
        } catch (CLException e) {
            if (e.getStatus() == CL_PLATFORM_NOT_FOUND_KHR) return List.of();   // the loader found no ICD file
            throw e;
        }
        cl_platform_id[] ps = new cl_platform_id[n[0]];
        if (n[0] > 0) clGetPlatformIDs(n[0], ps, null);
        return List.of(ps);
    }

    private static List<cl_device_id> devices(cl_platform_id p) {
        int[] n = new int[1];
        try {
            clGetDeviceIDs(p, CL_DEVICE_TYPE_ALL, 0, null, n);
        } catch (CLException e) {
            if (e.getStatus() == CL_DEVICE_NOT_FOUND) return List.of();
            throw e;
        }
        cl_device_id[] ds = new cl_device_id[n[0]];
        if (n[0] > 0) clGetDeviceIDs(p, CL_DEVICE_TYPE_ALL, n[0], ds, null);
        return List.of(ds);
    }

    private static Found describe(cl_platform_id p, cl_device_id d) {
        long type = deviceLong(d, CL_DEVICE_TYPE);
        boolean gpu = (type & CL_DEVICE_TYPE_GPU) != 0;
        String kind = gpu ? "GPU" : (type & CL_DEVICE_TYPE_CPU) != 0 ? "CPU" : "accelerator";
        String details = kind + ", " + deviceString(d, CL_DEVICE_VERSION) + ", " + deviceString(d, CL_DEVICE_OPENCL_C_VERSION)
                + ", driver " + deviceString(d, CL_DRIVER_VERSION) + ", platform " + platformString(p, CL_PLATFORM_NAME)
                + " (" + platformString(p, CL_PLATFORM_VERSION) + ")";
        DeviceInfo info = new DeviceInfo("opencl", deviceString(d, CL_DEVICE_NAME), deviceLong(d, CL_DEVICE_GLOBAL_MEM_SIZE),
                deviceInt(d, CL_DEVICE_MAX_COMPUTE_UNITS), details);
        return new Found(p, d, info, gpu);
    }

    static String deviceString(cl_device_id d, int param) {
        long[] size = new long[1];
        clGetDeviceInfo(d, param, 0, null, size);
        byte[] buf = new byte[(int) size[0]];
        clGetDeviceInfo(d, param, buf.length, Pointer.to(buf), null);
        return cString(buf);
    }

    static long deviceLong(cl_device_id d, int param) {
        long[] v = new long[1];
        clGetDeviceInfo(d, param, Sizeof.cl_ulong, Pointer.to(v), null);
        return v[0];
    }

    /** A size_t value, read as the platform's width. */
    static long deviceSize(cl_device_id d, int param) {
        if (Sizeof.size_t == Sizeof.cl_int) return deviceInt(d, param) & 0xffffffffL;
        return deviceLong(d, param);
    }

    static int deviceInt(cl_device_id d, int param) {
        int[] v = new int[1];
        clGetDeviceInfo(d, param, Sizeof.cl_uint, Pointer.to(v), null);
        return v[0];
    }

    private static String platformString(cl_platform_id p, int param) {
        long[] size = new long[1];
        clGetPlatformInfo(p, param, 0, null, size);
        byte[] buf = new byte[(int) size[0]];
        clGetPlatformInfo(p, param, buf.length, Pointer.to(buf), null);
        return cString(buf);
    }

    private static String cString(byte[] buf) {
        int n = 0;
        while (n < buf.length && buf[n] != 0) n++;
        return new String(buf, 0, n, StandardCharsets.UTF_8).trim();
    }
}
