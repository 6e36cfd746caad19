package io.flatnesslab.job;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.flatnesslab.experiment.ExperimentCancellationRequested;
import io.flatnesslab.experiment.ExperimentLifecycle;
import io.flatnesslab.experiment.ExperimentSubmitted;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import org.springframework.transaction.event.TransactionPhase;
import org.springframework.transaction.event.TransactionalEventListener;

/**
 * Bounded executor of experiments: {@code flatnesslab.jobs.concurrency} threads take experiment
 * ids in submission order.
 *
 * <p>The queue itself lives in the database: an experiment is QUEUED until a thread claims it,
 * so on start the scheduler enqueues every QUEUED experiment, oldest first. An experiment still
 * RUNNING at start was left by a process that died; it is queued again and continues from its
 * saved units, unless {@code flatnesslab.jobs.max-recoveries} recoveries in a row found it
 * stuck at the same unit. At shutdown the running
 * experiments finish and save their current unit and go back to the queue.
 */
@Component
class ExperimentScheduler implements SmartLifecycle {

    /** How long shutdown waits for interrupted jobs to re-queue themselves. */
    private static final Duration INTERRUPT_GRACE = Duration.ofSeconds(10);

    private static final Logger log = LoggerFactory.getLogger(ExperimentScheduler.class);

    private final ExperimentJob job;

    private final ExperimentLifecycle lifecycle;

    private final JobProperties properties;

    private final Map<Long, CancellationToken> tokens = new ConcurrentHashMap<>();

    private volatile ThreadPoolExecutor executor;

    private volatile boolean stopping;

    ExperimentScheduler(ExperimentJob job, ExperimentLifecycle lifecycle, JobProperties properties) {
        this.job = job;
        this.lifecycle = lifecycle;
        this.properties = properties;
    }

    @Override
    public void start() {
        stopping = false;
        AtomicInteger threads = new AtomicInteger();
        ThreadFactory factory = runnable -> {
            Thread thread = new Thread(runnable, "experiment-" + threads.incrementAndGet());
            thread.setDaemon(false);
            return thread;
        };
        executor = new ThreadPoolExecutor(properties.concurrency(), properties.concurrency(), 0, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), factory);

        ExperimentLifecycle.Recovery recovery = lifecycle.recoverRunning(properties.maxRecoveries());
        if (!recovery.requeued().isEmpty()) {
            log.warn("Queued again {} experiments that a previous process left RUNNING; they continue from their saved "
                    + "units: {}", recovery.requeued().size(), recovery.requeued());
        }
        if (!recovery.failed().isEmpty()) {
            log.error("Marked FAILED {} experiments that a previous process left RUNNING {} times in a row at the same "
                    + "point (flatnesslab.jobs.max-recoveries): {}", recovery.failed().size(), properties.maxRecoveries(),
                    recovery.failed());
        }
        List<Long> queued = lifecycle.queued();
        queued.forEach(this::enqueue);
        log.info("Experiment executor started with {} threads; {} queued experiments resumed", properties.concurrency(),
                queued.size());
    }

    @Override
    public void stop() {
        ThreadPoolExecutor current = executor;
        if (current == null) {
            return;
        }
        stopping = true;
        tokens.values().forEach(CancellationToken::shutdown);
        current.shutdown();
        try {
            if (!current.awaitTermination(properties.shutdownTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
                log.warn("Experiments {} still running after {} are interrupted; they continue from their last saved "
                        + "unit at the next start", tokens.keySet(), properties.shutdownTimeout());
                current.shutdownNow();
                // An interrupted job stops at its next training step or loss evaluation and
                // re-queues itself. One that does not manage in time is re-queued from here,
                // so that the next start does not count it as a crash.
                if (!current.awaitTermination(INTERRUPT_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                    tokens.keySet().forEach(id -> {
                        lifecycle.suspend(id);
                        log.warn("Experiment {} re-queued at shutdown while its job was still computing", id);
                    });
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            current.shutdownNow();
        }
        executor = null;
    }

    @Override
    public boolean isRunning() {
        return executor != null;
    }

    @TransactionalEventListener(phase = TransactionPhase.AFTER_COMMIT)
    void onSubmitted(ExperimentSubmitted event) {
        enqueue(event.experimentId());
    }

    @TransactionalEventListener(phase = TransactionPhase.AFTER_COMMIT)
    void onCancellationRequested(ExperimentCancellationRequested event) {
        CancellationToken token = tokens.get(event.experimentId());
        if (token != null) {
            token.cancel();
        }
    }

    private void enqueue(long id) {
        ThreadPoolExecutor current = executor;
        if (current == null || current.isShutdown()) {
            log.warn("Experiment {} stays QUEUED: the executor is not running; it starts after the next restart", id);
            return;
        }
        current.execute(() -> {
            if (stopping) {
                log.info("Experiment {} stays QUEUED: the application is shutting down; it starts after the next start", id);
                return;
            }
            CancellationToken token = new CancellationToken();
            tokens.put(id, token);
            try {
                job.run(id, token);
            } catch (RuntimeException e) {
                log.error("Experiment {} could not be run", id, e);
            } finally {
                tokens.remove(id);
            }
        });
    }
}
