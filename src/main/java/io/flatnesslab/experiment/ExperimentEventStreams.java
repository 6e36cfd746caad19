package io.flatnesslab.experiment;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.SmartLifecycle;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.transaction.event.TransactionPhase;
import org.springframework.transaction.event.TransactionalEventListener;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * Server-sent event streams of experiments: each subscriber of an experiment gets its view as a
 * {@code progress} event after every committed change, and a {@code finished} event with the
 * final view, after which the stream ends.
 *
 * <p>Events are sent from one thread of this class, never from the job thread that committed
 * the change, so a slow client cannot slow an experiment down. Changes that arrive faster than
 * they are sent are coalesced: a subscriber always gets the latest view, not every one. A
 * comment line every {@code flatnesslab.events.heartbeat} keeps proxies from closing an idle
 * stream and finds clients that went away.
 */
@Component
class ExperimentEventStreams implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(ExperimentEventStreams.class);

    private final ExperimentService experiments;

    private final Duration timeout;

    private final Duration heartbeat;

    private final Map<Long, Set<SseEmitter>> subscribers = new ConcurrentHashMap<>();

    private final Set<Long> pending = ConcurrentHashMap.newKeySet();

    private final AtomicLong eventIds = new AtomicLong();

    private volatile ScheduledExecutorService sender;

    ExperimentEventStreams(ExperimentService experiments,
            @Value("${flatnesslab.events.timeout:30m}") Duration timeout,
            @Value("${flatnesslab.events.heartbeat:15s}") Duration heartbeat) {
        this.experiments = experiments;
        this.timeout = timeout;
        this.heartbeat = heartbeat;
    }

    /**
     * Opens a stream on experiment {@code id} and sends its current view at once.
     *
     * @throws ExperimentNotFoundException when no experiment has that id
     */
    SseEmitter subscribe(long id) {
        ExperimentView current = experiments.get(id);
        SseEmitter emitter = new SseEmitter(timeout.toMillis());
        Set<SseEmitter> streams = subscribers.computeIfAbsent(id, key -> new CopyOnWriteArraySet<>());
        streams.add(emitter);
        emitter.onCompletion(() -> streams.remove(emitter));
        emitter.onTimeout(() -> streams.remove(emitter));
        emitter.onError(error -> streams.remove(emitter));

        // The first view goes through the sender too, so that it cannot overtake or follow a
        // change being sent at the same moment out of order.
        schedule(id);
        log.debug("Event stream opened on experiment {} in status {}", id, current.status());
        return emitter;
    }

    @TransactionalEventListener(phase = TransactionPhase.AFTER_COMMIT, fallbackExecution = true)
    void onChanged(ExperimentChanged event) {
        if (subscribers.containsKey(event.experimentId())) {
            schedule(event.experimentId());
        }
    }

    private void schedule(long id) {
        ScheduledExecutorService current = sender;
        if (current != null && pending.add(id)) {
            current.execute(() -> send(id));
        }
    }

    private void send(long id) {
        pending.remove(id);
        Set<SseEmitter> streams = subscribers.get(id);
        if (streams == null || streams.isEmpty()) {
            return;
        }

        ExperimentView view;
        try {
            view = experiments.get(id);
        } catch (ExperimentNotFoundException e) {
            streams.forEach(SseEmitter::complete);
            subscribers.remove(id);
            return;
        }
        boolean last = view.status().isFinal();
        SseEmitter.SseEventBuilder event = SseEmitter.event()
                .id(String.valueOf(eventIds.incrementAndGet()))
                .name(last ? "finished" : "progress")
                .data(view, MediaType.APPLICATION_JSON);
        for (SseEmitter emitter : streams) {
            try {
                emitter.send(event);
                if (last) {
                    emitter.complete();
                }
            } catch (IOException | IllegalStateException e) {
                // The client went away; the container completes the emitter.
                streams.remove(emitter);
                log.debug("Event stream on experiment {} closed by the client: {}", id, e.toString());
            }
        }
        if (last) {
            subscribers.remove(id);
        }
    }

    private void sendHeartbeats() {
        subscribers.forEach((id, streams) -> {
            for (SseEmitter emitter : streams) {
                try {
                    emitter.send(SseEmitter.event().comment("keep-alive"));
                } catch (IOException | IllegalStateException e) {
                    streams.remove(emitter);
                }
            }
        });
    }

    @Override
    public void start() {
        sender = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "experiment-events");
            thread.setDaemon(true);
            return thread;
        });
        sender.scheduleWithFixedDelay(this::sendHeartbeats, heartbeat.toMillis(), heartbeat.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    /** Ends every open stream, so that graceful shutdown of the web server need not wait for them. */
    @Override
    public void stop() {
        ScheduledExecutorService current = sender;
        sender = null;
        if (current != null) {
            current.shutdownNow();
        }
        subscribers.values().forEach(streams -> streams.forEach(SseEmitter::complete));
        subscribers.clear();
    }

    @Override
    public boolean isRunning() {
        return sender != null;
    }
}
