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
import tools.jackson.databind.json.JsonMapper;

/**
 * Server-sent event streams of experiments: each subscriber of an experiment gets its view as a
 * {@code progress} event after every committed change, and a {@code finished} event with the
 * final view, after which the stream ends.
 *
 * <p>Events are sent from one thread of this class, never from the job thread that committed
 * the change, so a slow client cannot slow an experiment down. Changes that arrive faster than
 * they are sent are coalesced: a subscriber always gets the latest view, not every one, and
 * never the same view twice in a row. A comment line every {@code flatnesslab.events.heartbeat}
 * keeps proxies from closing an idle stream and finds clients that went away. When the service
 * stops, every stream gets a {@code shutdown} event before it ends, so that a client can tell
 * a stopping server from a finished experiment.
 */
@Component
class ExperimentEventStreams implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(ExperimentEventStreams.class);

    private final ExperimentService experiments;

    private final Duration timeout;

    private final Duration heartbeat;

    private final Map<Long, Set<Stream>> subscribers = new ConcurrentHashMap<>();

    private final Set<Long> pending = ConcurrentHashMap.newKeySet();

    private final AtomicLong eventIds = new AtomicLong();

    private final JsonMapper json;

    private volatile ScheduledExecutorService sender;

    ExperimentEventStreams(ExperimentService experiments,
            @Value("${flatnesslab.events.timeout:30m}") Duration timeout,
            @Value("${flatnesslab.events.heartbeat:15s}") Duration heartbeat, JsonMapper json) {
        this.experiments = experiments;
        this.json = json;
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
        Stream stream = new Stream(emitter);
        Set<Stream> streams = subscribers.computeIfAbsent(id, key -> new CopyOnWriteArraySet<>());
        streams.add(stream);
        emitter.onCompletion(() -> streams.remove(stream));
        emitter.onTimeout(() -> streams.remove(stream));
        emitter.onError(error -> streams.remove(stream));

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
        Set<Stream> streams = subscribers.get(id);
        if (streams == null || streams.isEmpty()) {
            return;
        }

        ExperimentView view;
        try {
            view = experiments.get(id);
        } catch (ExperimentNotFoundException e) {
            streams.forEach(stream -> stream.emitter().complete());
            subscribers.remove(id);
            return;
        }
        boolean last = view.status().isFinal();
        String data = json.writeValueAsString(view);
        for (Stream stream : streams) {
            if (!last && data.equals(stream.lastData)) {
                continue;
            }
            try {
                stream.emitter().send(SseEmitter.event()
                        .id(String.valueOf(eventIds.incrementAndGet()))
                        .name(last ? "finished" : "progress")
                        .data(data, MediaType.APPLICATION_JSON));
                stream.lastData = data;
                if (last) {
                    stream.emitter().complete();
                }
            } catch (IOException | IllegalStateException e) {
                // The client went away; the container completes the emitter.
                streams.remove(stream);
                log.debug("Event stream on experiment {} closed by the client: {}", id, e.toString());
            }
        }
        if (last) {
            subscribers.remove(id);
        }
    }

    private void sendHeartbeats() {
        subscribers.forEach((id, streams) -> {
            for (Stream stream : streams) {
                try {
                    stream.emitter().send(SseEmitter.event().comment("keep-alive"));
                } catch (IOException | IllegalStateException e) {
                    streams.remove(stream);
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
        subscribers.values().forEach(streams -> streams.forEach(stream -> {
            try {
                stream.emitter().send(SseEmitter.event()
                        .name("shutdown")
                        .data("{\"detail\": \"the service is stopping; running experiments continue after it restarts, "
                                + "so reconnect then\"}", MediaType.APPLICATION_JSON));
            } catch (IOException | IllegalStateException e) {
                log.debug("Event stream closed before the shutdown event: {}", e.toString());
            }
            stream.emitter().complete();
        }));
        subscribers.clear();
    }

    /** One subscriber's emitter and the last view it was sent, as JSON. */
    private static final class Stream {

        private final SseEmitter emitter;

        private volatile String lastData;

        Stream(SseEmitter emitter) {
            this.emitter = emitter;
        }

        SseEmitter emitter() {
            return emitter;
        }
    }

    @Override
    public boolean isRunning() {
        return sender != null;
    }
}
