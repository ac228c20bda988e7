package io.moescope.report.export;

import io.moescope.files.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;

/**
 * The report as one self-contained HTML file: figures embedded as base64 PNG data URIs, tables as
 * HTML tables, and every number as JSON in a script element (id "moescope-data") for scripts.
 */
public final class HtmlReport {
    private HtmlReport() {}

    public static String html(ReportContent r) throws IOException {
        StringBuilder s = new StringBuilder(1 << 16);
        s.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>").append(esc(r.title()))
                .append("</title>\n<style>\n")
                .append("body{font-family:system-ui,sans-serif;margin:2em auto;max-width:1100px;color:#222;padding:0 1em}")
                .append("figure{margin:1.5em 0}figure img{max-width:100%;border:1px solid #dde3ea}")
                .append("figcaption{color:#555;font-size:.9em}table{border-collapse:collapse;margin:1em 0;font-size:.85em}")
                .append("td,th{border:1px solid #ccd;padding:2px 6px;text-align:right}th{background:#eef2f8}")
                .append("td:nth-child(3){text-align:left;font-family:monospace}pre{background:#f6f8fa;padding:1em;overflow:auto;max-height:30em}")
                .append("\n</style>\n</head>\n<body>\n<h1>").append(esc(r.title())).append("</h1>\n");
        for (String line : r.summary()) s.append("<p>").append(esc(line)).append("</p>\n");
        s.append("<h2>Figures</h2>\n");
        for (ReportContent.Figure f : r.figures()) {
            s.append("<figure id=\"").append(esc(f.name())).append("\"><img alt=\"").append(esc(f.caption()))
                    .append("\" src=\"data:image/png;base64,").append(Base64.getEncoder().encodeToString(ImageFiles.png(f.drawing().image(Drawing.REPORT_SCALE))))
                    .append("\"><figcaption>").append(esc(f.caption())).append("</figcaption></figure>\n");
        }
        s.append("<h2>Tables</h2>\n");
        for (ReportContent.Table t : r.tables()) table(s, t);
        s.append("<h2>The numbers</h2>\n<p>Also in the script element <code>moescope-data</code> of this file.</p>\n")
                .append("<script type=\"application/json\" id=\"moescope-data\">\n")
                // "</" would end the script element early; JSON allows the escaped slash.
                .append(r.json().replace("</", "<\\/")).append("\n</script>\n<details><summary>show JSON</summary><pre>")
                .append(esc(r.json())).append("</pre></details>\n</body>\n</html>\n");
        return s.toString();
    }

    private static void table(StringBuilder s, ReportContent.Table t) {
        s.append("<table><caption>").append(esc(t.caption())).append("</caption>\n<tr>");
        for (String h : t.header()) s.append("<th>").append(esc(h)).append("</th>");
        s.append("</tr>\n");
        for (List<String> row : t.rows()) {
            s.append("<tr>");
            for (String c : row) s.append("<td>").append(esc(c)).append("</td>");
            s.append("</tr>\n");
        }
        s.append("</table>\n");
    }

    static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    public static void write(ReportContent r, Path file) throws IOException {
        AtomicFiles.write(file, html(r).getBytes(StandardCharsets.UTF_8));
    }
}
