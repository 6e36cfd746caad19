package io.flatnesslab.snapshot;

/** Raised when a snapshot id does not exist. */
public class SnapshotNotFoundException extends RuntimeException {

    public SnapshotNotFoundException(long id) {
        super("snapshot " + id + " not found");
    }
}
