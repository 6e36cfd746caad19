package io.flatnesslab.job;

/**
 * Stop flags of one running experiment. A cancel request (or an interrupt of the job thread)
 * stops it at the next training step or loss evaluation. A shutdown stops it at the next unit
 * boundary, after saving that unit.
 */
final class CancellationToken {

    private volatile boolean cancelRequested;

    private volatile boolean shutdown;

    void cancel() {
        cancelRequested = true;
    }

    void shutdown() {
        shutdown = true;
    }

    boolean isShutdown() {
        return shutdown;
    }

    /** Returns whether the job must stop now, without finishing its unit. */
    boolean isCancelRequested() {
        return cancelRequested || Thread.currentThread().isInterrupted();
    }
}
