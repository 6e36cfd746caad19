package io.flatnesslab.dataset;

import java.util.List;

/** Raised when no dataset has the requested name. */
public class DatasetNotFoundException extends RuntimeException {

    public DatasetNotFoundException(String name, List<String> available) {
        super("unknown dataset '" + name + "'; available datasets: " + String.join(", ", available));
    }
}
