package io.moescope.report.export;

import java.util.List;

/**
 * What a report holds, independent of its format: figures, tables and the numbers as JSON. The
 * HTML and PDF writers lay out the same content; a figure is a {@link Drawing}, which each writer
 * turns into pixels or vectors.
 */
public record ReportContent(String title, List<String> summary, List<Figure> figures, List<Table> tables, String json) {

    public record Figure(String name, String caption, Drawing drawing) {}

    public record Table(String caption, List<String> header, List<List<String>> rows) {}
}
