package io.moescope.files;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;

/** IOException messages are often a bare path or a class name; these say what went wrong, in words. */
public final class IoProblems {
    private IoProblems() {}

    public static String describe(IOException e) {
        return switch (e) {
            case NoSuchFileException x -> "no such file or folder " + x.getFile();
            case AccessDeniedException x -> "permission denied for " + x.getFile();
            case DirectoryNotEmptyException x -> "a folder is in the way";
            case NotDirectoryException x -> x.getFile() + " is not a folder";
            case FileAlreadyExistsException x -> x.getFile() + " already exists";
            case FileSystemException x when x.getReason() != null -> x.getReason().strip();
            default -> e.getMessage() != null && !e.getMessage().isBlank() ? e.getMessage().strip() : "input/output error";
        };
    }
}
