package io.moescope.viz.session;

/**
 * What "Save session" writes and "Open session" restores: the model, the prompt, the selections
 * and the state of the views. Unknown fields are ignored on reading so that older builds can open
 * newer sessions.
 *
 * @param version  format version, 1
 * @param model    absolute model folder, or null
 * @param view     id of the tab shown (attention, load, routing, gradients, model)
 * @param head     -1 mean over heads, -2 maximum, else the head
 * @param logScale attention colour scale
 */
public record Session(int version, String model, String backend, String prompt, int token, int layer, int head,
                      int expert, String view, boolean logScale, double capacityFactor, boolean presenter) {
    public static final int VERSION = 1;
}
