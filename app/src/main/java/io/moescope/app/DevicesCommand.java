package io.moescope.app;

import io.moescope.backend.select.Backends;
import io.moescope.backend.DeviceInfo;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "devices",
        description = {"List the devices of every backend: name, memory, compute units.",
                "A backend that cannot run here is listed with the reason and what to install."})
final class DevicesCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    private static final String ROW = "%-7s %-40s %10s %8s  %s%n";

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        out.printf(Locale.ROOT, ROW, "backend", "device", "memory", "units", "details");
        for (Backends.Listing l : Backends.devices()) {
            if (!l.available()) {
                out.printf(Locale.ROOT, "%-7s unavailable: %s%n", l.backend(), l.unavailableReason());
                continue;
            }
            for (DeviceInfo d : l.devices()) {
                out.printf(Locale.ROOT, ROW, l.backend(), d.name(), gib(d.memoryBytes()), d.computeUnits(),
                        d.details() == null ? "" : d.details());
            }
        }
        out.flush();
        return 0;
    }

    private static String gib(long bytes) {
        return bytes <= 0 ? "-" : String.format(Locale.ROOT, "%.1f GiB", bytes / (double) (1L << 30));
    }
}
