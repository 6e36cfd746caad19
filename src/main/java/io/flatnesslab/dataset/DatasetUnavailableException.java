package io.flatnesslab.dataset;

/** Raised when a dataset exists but its files are missing or malformed. */
public class DatasetUnavailableException extends RuntimeException {

    public DatasetUnavailableException(String name, String problem, Throwable cause) {
        super("dataset '" + name + "' cannot be read: " + problem, cause);
    }
}
