package io.moescope.viz.workbench;

import io.moescope.analysis.Analysis;
import io.moescope.analysis.RunProfile;
import io.moescope.report.export.ImageFiles;
import io.moescope.report.export.ProfileReport;
import io.moescope.report.export.ReportBuilder;
import io.moescope.report.export.Reports;
import io.moescope.report.export.SvgExport;
import io.moescope.report.lab.LabReport;
import io.moescope.viz.export.FxImages;
import io.moescope.viz.state.WorkbenchState;
import io.moescope.viz.view.AnalysisView;
import io.moescope.viz.widget.ChartPane;
import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javafx.stage.DirectoryChooser;
import javafx.stage.FileChooser;
import javafx.stage.Window;

/**
 * Export: a view as PNG at 2x, its charts as SVG, and the report as HTML or PDF (with the mechanism
 * lab's comparison and sweep when they have been run); every write atomic.
 */
public final class WorkbenchActions {
    /** SVG size of a chart, in CSS pixels. */
    static final int SVG_WIDTH = 900, SVG_HEIGHT = 540;

    private final WorkbenchState state;
    private final AnalysisController controller;

    WorkbenchActions(WorkbenchState state, AnalysisController controller) {
        this.state = state;
        this.controller = controller;
    }

    /** FX thread: the view as it is on screen, at twice its size. */
    public void exportPng(AnalysisView view, Path file) throws IOException {
        Runnable screenImages = ChartPane.drawnAt(view.node(), 2);   // charts drawn at 2x, not the screen image enlarged
        try {
            ImageFiles.writePng(FxImages.snapshot(view.node(), 2), file);
        } finally {
            screenImages.run();
        }
    }

    /** Every chart of the view as name.svg in the folder; returns the files written. */
    public List<Path> exportSvg(AnalysisView view, Path dir) throws IOException {
        List<Path> out = new ArrayList<>();
        for (AnalysisView.NamedChart c : view.charts()) {
            Path f = dir.resolve(c.name() + ".svg");
            SvgExport.write(c.chart(), SVG_WIDTH, SVG_HEIGHT, f);
            out.add(f);
        }
        return out;
    }

    /** Builds the report off the FX thread; .pdf gives a PDF, anything else HTML. */
    public void exportReport(Path file, Runnable done) {
        Analysis a = state.analysis.get();
        Path model = state.modelDir.get();
        String backend = state.backend.get();
        var comparison = state.comparison.get();
        var sweep = state.sweep.get();
        RunProfile profile = state.profile.get();
        if (a == null) {
            state.message.set("nothing to report: analyse a prompt first");
            return;
        }
        controller.run("writing " + file.getFileName() + " …", () -> {
            // a comparison or sweep that has been run goes into the report too, and the analysis's profile
            Reports.write(ProfileReport.with(LabReport.withLab(ReportBuilder.build(a, model, backend), comparison, sweep), profile), file);
            return file;
        }, f -> {
            state.message.set("wrote " + f);
            done.run();
        });
    }

    // ---- the menu items' dialogs --------------------------------------------------------------

    void choosePng(Window owner, AnalysisView view) {
        FileChooser fc = new FileChooser();
        fc.setTitle("Export " + view.title() + " as PNG (2x)");
        fc.setInitialFileName(view.id() + ".png");
        fc.getExtensionFilters().add(new FileChooser.ExtensionFilter("PNG image", "*.png"));
        File f = fc.showSaveDialog(owner);
        if (f == null) return;
        try {
            exportPng(view, f.toPath());
            state.message.set("wrote " + f);
        } catch (IOException | RuntimeException e) {
            state.fail("Export failed", e);
        }
    }

    void chooseSvg(Window owner, AnalysisView view) {
        if (view.charts().isEmpty()) {
            state.message.set(view.title() + " has no charts to export as SVG; use PNG");
            return;
        }
        DirectoryChooser dc = new DirectoryChooser();
        dc.setTitle("Folder for the SVG files of " + view.title());
        File d = dc.showDialog(owner);
        if (d == null) return;
        try {
            state.message.set("wrote " + exportSvg(view, d.toPath()).size() + " SVG files to " + d);
        } catch (IOException | RuntimeException e) {
            state.fail("Export failed", e);
        }
    }

    void chooseReport(Window owner, boolean pdf) {
        FileChooser fc = new FileChooser();
        fc.setTitle("Export report");
        fc.setInitialFileName(pdf ? "report.pdf" : "report.html");
        fc.getExtensionFilters().add(pdf ? new FileChooser.ExtensionFilter("PDF", "*.pdf")
                : new FileChooser.ExtensionFilter("HTML", "*.html"));
        File f = fc.showSaveDialog(owner);
        if (f != null) exportReport(f.toPath(), () -> { });
    }
}
