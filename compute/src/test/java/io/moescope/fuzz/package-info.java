/**
 * Coverage-guided fuzz tests (Jazzer's JUnit 5 integration) of everything that reads files from
 * strangers: the safetensors reader, the sharded index, config.json and tokenizer.json. The property
 * is the same everywhere ({@link io.moescope.fuzz.Refusals}): success, or a CheckpointException with
 * a one-line message; anything else, an OutOfMemoryError or a hang is a finding.
 *
 * <p>{@code mvn verify} runs them in compute's "fuzz" surefire execution, one JVM per class: each
 * replays its corpus, {@code src/test/resources/io/moescope/fuzz/<Class>Inputs/<method>/} (valid
 * files, malformed ones, and inputs that once crashed us), then fuzzes for its {@code maxDuration}.
 * {@code -Dmoescope.fuzz=false} only replays the corpus; {@code -Dmoescope.fuzz.tests=ConfigFuzzTest}
 * picks a target. To fuzz for longer, raise {@code maxDuration} locally.
 *
 * <p>A finding is written to {@code compute/target/fuzz/crash-*}. Fix it, then add the file to the
 * target's Inputs folder under a name that says what it was, so that it stays fixed.
 */
package io.moescope.fuzz;
