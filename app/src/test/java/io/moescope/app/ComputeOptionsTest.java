package io.moescope.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.moescope.testing.Conformance;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** --backend, --threads and --profile, through inspect (the first command that computes), report and compare. */
class ComputeOptionsTest {

    @Test
    void inspectTakesTheComputeOptions(@TempDir Path dir) {
        Path mixtral = Conformance.dir().resolve("mixtral-a");
        Path out = dir.resolve("o.safetensors");
        Cli r = Cli.run("inspect", "--model", mixtral.toString(), "--ids", "1,2,3", "--out", out.toString(),
                "--backend", "java", "--threads", "1", "--profile");
        assertEquals(0, r.exitCode(), r::toString);
        assertTrue(r.err().startsWith("operation"), r::toString);
        assertTrue(r.err().contains("\nattention "), r::toString);

        Cli unknown = Cli.run("inspect", "--model", mixtral.toString(), "--ids", "1", "--out", out.toString(), "--backend", "cuda");
        CliTest.assertOneLineFailure(unknown, 2);
        assertTrue(unknown.err().contains("auto, java, opencl, ptx"), unknown::toString);

        Cli ptx = Cli.run("inspect", "--model", mixtral.toString(), "--ids", "1", "--out", out.toString(), "--backend", "ptx");
        if (ptx.exitCode() != 0) {   // on a machine without the NVIDIA driver
            CliTest.assertOneLineFailure(ptx, 2);
            assertTrue(ptx.err().contains("install"), ptx::toString);
        }
    }

    @Test
    void reportAndComparePrintTheProfileToo(@TempDir Path dir) throws IOException {
        String model = Conformance.dir().resolve("deepseekv3-a").toString();
        Cli report = Cli.run("report", "--model", model, "--text", "5, 17, 42", "--out", dir.resolve("r.html").toString(),
                "--backend", "java", "--profile");
        assertEquals(0, report.exitCode(), report::toString);
        assertTrue(report.err().startsWith("operation"), report::toString);
        assertTrue(report.err().contains("\nexperts "), report::toString);
        String html = Files.readString(dir.resolve("r.html"));
        assertTrue(html.contains("Where the analysis spent its time"), "the report holds the profile table too");
        assertTrue(html.contains("Profile: java on CPU"), "and its summary line");

        Cli compare = Cli.run("compare", "--model", model, "--text", "5, 17, 42", "--k", "1", "--out", dir.resolve("c.html").toString(),
                "--backend", "java", "--profile");
        assertEquals(0, compare.exitCode(), compare::toString);
        assertTrue(compare.err().contains("\noperation "), compare::toString);
        assertTrue(compare.err().contains("\nattention "), compare::toString);
    }
}
