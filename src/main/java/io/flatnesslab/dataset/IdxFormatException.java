package io.flatnesslab.dataset;

/**
 * Raised when a file is not a valid IDX file of the expected kind. The message names the file
 * and the problem.
 */
public class IdxFormatException extends RuntimeException {

    public IdxFormatException(String source, String problem) {
        super(source + ": " + problem);
    }

    public IdxFormatException(String source, String problem, Throwable cause) {
        super(source + ": " + problem, cause);
    }
}
