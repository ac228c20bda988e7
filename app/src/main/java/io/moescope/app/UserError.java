package io.moescope.app;

/** A problem the user can fix that is not about a file or an argument, e.g. no display for the window. */
final class UserError extends RuntimeException {
    UserError(String message) {
        super(message);
    }
}
