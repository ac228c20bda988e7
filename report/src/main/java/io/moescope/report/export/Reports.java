package io.moescope.report.export;

import io.moescope.analysis.Analysis;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;

/** The report of an analysis to a file: PDF for a .pdf name, HTML otherwise. Needs no display. */
public final class Reports {
    private Reports() {}

    public static void write(Analysis a, Path model, String backend, Path file) throws IOException {
        write(ReportBuilder.build(a, model, backend), file);
    }

    public static void write(ReportContent r, Path file) throws IOException {
        if (isPdf(file)) PdfReport.write(r, file);
        else HtmlReport.write(r, file);
    }

    public static boolean isPdf(Path file) {
        return file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".pdf");
    }
}
