package io.moescope.backend.java;

import java.lang.ref.SoftReference;

/** The panels of one weight (all views of it); {@link PanelBudget} may drop them. */
final class PanelCache {
    volatile SoftReference<WeightPanels> panels;
}
