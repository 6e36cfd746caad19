package io.flatnesslab.job;

/** Stop flag of one running experiment, set on a cancel request or at shutdown. */
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

    boolean shouldStop() {
        return cancelRequested || shutdown || Thread.currentThread().isInterrupted();
    }
}
