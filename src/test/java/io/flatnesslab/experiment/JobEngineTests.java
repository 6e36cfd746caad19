package io.flatnesslab.experiment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import io.flatnesslab.snapshot.SnapshotStore;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The job engine over real HTTP: progress, cancellation that keeps finished runs, deletion that
 * frees disk space, ETags, the event stream and idempotent submission.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "flatnesslab.data-directory=./target/test-data/${random.uuid}",
        "flatnesslab.datasets.directory=target/no-extra-datasets",
        "flatnesslab.jobs.checkpoint-interval=0s"})
class JobEngineTests {

    private static final String SMALL_SPEC = """
            {"seed": %d, "dataset": {"trainSize": 100}, "training": {"maxEpochs": 3, "batchSize": 20},
             "groups": [{"key": "g", "hiddenLayers": [16]}], "runsPerGroup": 2,
             "flatness": {"epsilons": [0.1, 1.0], "directions": 2}}""";

    /**
     * A first group that reaches 100 % at once, then one that trains for long: one hidden unit
     * fits 30 random labels of 10 classes slowly, if ever.
     */
    private static final String FAST_THEN_SLOW_SPEC = """
            {"dataset": {"trainSize": 30}, "training": {"maxEpochs": 10000, "batchSize": 30},
             "groups": [{"key": "fast", "hiddenLayers": [256]}, {"key": "slow", "hiddenLayers": [1], "labels": "RANDOM"}],
             "runsPerGroup": 1, "flatness": {"epsilons": [0.1], "directions": 1}}""";

    @LocalServerPort
    int port;

    @Autowired
    JsonMapper json;

    @Autowired
    SnapshotStore snapshots;

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void progressReportsUnitsAndFinishes() throws Exception {
        JsonNode submitted = submit(SMALL_SPEC.formatted(1), null);
        long id = submitted.get("id").asLong();

        JsonNode finished = awaitFinal(id);

        JsonNode progress = finished.get("progress");
        assertThat(finished.get("status").asString()).isEqualTo("SUCCEEDED");
        // 2 runs x (3 epochs + 2 baselines + 2 directions x 2 epsilons + train and test loss)
        assertThat(submitted.get("progress").get("unitsTotal").asLong()).isEqualTo(22);
        assertThat(progress.get("unitsTotal").asLong()).isEqualTo(22);
        assertThat(progress.get("unitsDone").asLong()).isEqualTo(22);
        assertThat(progress.get("estimatedSecondsRemaining").isNull()).isTrue();
        assertThat(progress.get("recoveries").asInt()).isZero();
    }

    @Test
    void cancelKeepsFinishedRunsAndDropsCheckpoints() throws Exception {
        long bytesBefore = snapshots.bytesOnDisk();
        long id = submit(FAST_THEN_SLOW_SPEC, null).get("id").asLong();
        JsonNode running;
        HttpResponse<String> cancel;
        try {
            await().atMost(Duration.ofMinutes(2)).until(() -> {
                JsonNode progress = get("/api/experiments/" + id).get("progress");
                return progress.get("runsDone").asInt() == 1 && "slow".equals(progress.get("currentGroup").asString())
                        && progress.get("currentEpoch").asInt(0) >= 2;
            });
            running = get("/api/experiments/" + id);
        } finally {
            // Cancelled even when a check fails, so that the endless run does not hold up the next tests.
            cancel = send(HttpRequest.newBuilder(uri("/api/experiments/" + id + "/cancel"))
                    .POST(HttpRequest.BodyPublishers.noBody()));
        }
        assertThat(running.get("status").asString()).isEqualTo("RUNNING");
        assertThat(running.get("progress").get("currentGroup").asString()).isEqualTo("slow");
        assertThat(running.get("progress").get("estimatedSecondsRemaining").isNull()).isFalse();

        assertThat(cancel.statusCode()).isEqualTo(202);
        JsonNode cancelled = awaitFinal(id);

        assertThat(cancelled.get("status").asString()).isEqualTo("CANCELLED");
        JsonNode results = get("/api/experiments/" + id + "/results");
        assertThat(results.get("complete").asBoolean()).isFalse();
        assertThat(results.get("groups").get(0).get("runs")).hasSize(1);
        assertThat(results.get("groups").get(1).get("runs")).isEmpty();
        long kept = results.get("groups").get(0).get("runs").get(0).get("snapshot").get("sizeBytes").asLong();
        assertThat(snapshots.bytesOnDisk()).isEqualTo(bytesBefore + kept);

        HttpResponse<String> again = send(HttpRequest.newBuilder(uri("/api/experiments/" + id + "/cancel"))
                .POST(HttpRequest.BodyPublishers.noBody()));
        assertThat(again.statusCode()).isEqualTo(409);
        assertThat(again.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    }

    @Test
    void deleteRemovesSnapshotFiles() throws Exception {
        long id = submit(SMALL_SPEC.formatted(2), null).get("id").asLong();
        awaitFinal(id);
        JsonNode results = get("/api/experiments/" + id + "/results");
        long before = snapshots.bytesOnDisk();
        long own = bytesOfExperimentSnapshots(results);
        assertThat(own).isPositive();

        HttpResponse<String> deleted = send(HttpRequest.newBuilder(uri("/api/experiments/" + id)).DELETE());

        assertThat(deleted.statusCode()).isEqualTo(204);
        assertThat(snapshots.bytesOnDisk()).isEqualTo(before - own);
        assertThat(send(HttpRequest.newBuilder(uri("/api/experiments/" + id)).GET()).statusCode()).isEqualTo(404);
    }

    @Test
    void statusAndResultsAnswerIfNoneMatch() throws Exception {
        long id = submit(SMALL_SPEC.formatted(3), null).get("id").asLong();
        awaitFinal(id);

        for (String path : List.of("/api/experiments/" + id, "/api/experiments/" + id + "/results")) {
            HttpResponse<String> first = send(HttpRequest.newBuilder(uri(path)).GET());
            String etag = first.headers().firstValue("ETag").orElseThrow();

            HttpResponse<String> unchanged = send(HttpRequest.newBuilder(uri(path)).header("If-None-Match", etag).GET());
            HttpResponse<String> stale = send(HttpRequest.newBuilder(uri(path)).header("If-None-Match", "\"other\"").GET());
            HttpResponse<String> wildcard = send(HttpRequest.newBuilder(uri(path)).header("If-None-Match", "*").GET());

            assertThat(first.statusCode()).isEqualTo(200);
            assertThat(unchanged.statusCode()).as(path).isEqualTo(304);
            assertThat(unchanged.body()).isEmpty();
            assertThat(stale.statusCode()).isEqualTo(200);
            assertThat(stale.headers().firstValue("ETag")).hasValue(etag);
            assertThat(wildcard.statusCode()).as(path).isEqualTo(304);
        }
    }

    @Test
    void eventStreamSendsProgressThenFinished() throws Exception {
        long id = submit(SMALL_SPEC.formatted(4), null).get("id").asLong();

        List<String> names = new ArrayList<>();
        List<JsonNode> views = new ArrayList<>();
        HttpResponse<InputStream> stream = http.send(HttpRequest.newBuilder(uri("/api/experiments/" + id + "/events"))
                .header("Accept", "text/event-stream").timeout(Duration.ofMinutes(2)).GET().build(),
                HttpResponse.BodyHandlers.ofInputStream());
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(stream.body(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                if (line.startsWith("event:")) {
                    names.add(line.substring("event:".length()).strip());
                } else if (line.startsWith("data:")) {
                    views.add(json.readTree(line.substring("data:".length())));
                }
            }
        }

        assertThat(stream.statusCode()).isEqualTo(200);
        assertThat(stream.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/event-stream");
        assertThat(names).hasSameSizeAs(views).hasSizeGreaterThanOrEqualTo(2);
        assertThat(names.subList(0, names.size() - 1)).containsOnly("progress");
        assertThat(names.get(names.size() - 1)).isEqualTo("finished");
        assertThat(views.get(views.size() - 1).get("status").asString()).isEqualTo("SUCCEEDED");
        List<Long> unitsDone = views.stream().map(view -> view.get("progress").get("unitsDone").asLong()).toList();
        assertThat(unitsDone).isSorted();
        assertThat(views).doesNotHaveDuplicates();
    }

    @Test
    void eventStreamOfUnknownExperimentIs404() throws Exception {
        HttpResponse<String> response = send(HttpRequest.newBuilder(uri("/api/experiments/999999/events")).GET());

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    }

    @Test
    void idempotencyKeyReturnsSameExperiment() throws Exception {
        String key = UUID.randomUUID().toString();

        HttpResponse<String> first = post(SMALL_SPEC.formatted(5), key);
        HttpResponse<String> repeated = post(SMALL_SPEC.formatted(5), key);
        HttpResponse<String> different = post(SMALL_SPEC.formatted(6), key);
        HttpResponse<String> malformed = post(SMALL_SPEC.formatted(5), "has spaces");
        HttpResponse<String> twice = send(HttpRequest.newBuilder(uri("/api/experiments"))
                .header("Content-Type", "application/json")
                .header("Idempotency-Key", "first")
                .header("Idempotency-Key", "second")
                .POST(HttpRequest.BodyPublishers.ofString(SMALL_SPEC.formatted(5))));

        assertThat(first.statusCode()).isEqualTo(202);
        assertThat(repeated.statusCode()).isEqualTo(200);
        assertThat(json.readTree(repeated.body()).get("id").asLong()).isEqualTo(json.readTree(first.body()).get("id").asLong());
        assertThat(different.statusCode()).isEqualTo(422);
        assertThat(json.readTree(different.body()).get("detail").asString()).contains("different spec");
        assertThat(malformed.statusCode()).isEqualTo(400);
        assertThat(malformed.body()).contains("Idempotency-Key");
        assertThat(twice.statusCode()).isEqualTo(400);
        assertThat(twice.body()).contains("several Idempotency-Key headers");
        awaitFinal(json.readTree(first.body()).get("id").asLong());
    }

    private long bytesOfExperimentSnapshots(JsonNode results) {
        long total = 0;
        for (JsonNode group : results.get("groups")) {
            for (JsonNode run : group.get("runs")) {
                total += run.get("snapshot").get("sizeBytes").asLong();
            }
        }
        return total;
    }

    private JsonNode awaitFinal(long id) throws Exception {
        await().atMost(Duration.ofMinutes(2)).until(() -> List.of("SUCCEEDED", "FAILED", "CANCELLED")
                .contains(get("/api/experiments/" + id).get("status").asString()));
        return get("/api/experiments/" + id);
    }

    private JsonNode submit(String spec, String key) throws Exception {
        HttpResponse<String> response = post(spec, key);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        return json.readTree(response.body());
    }

    private HttpResponse<String> post(String spec, String key) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri("/api/experiments"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(spec));
        if (key != null) {
            request.header("Idempotency-Key", key);
        }
        return send(request);
    }

    private JsonNode get(String path) throws Exception {
        HttpResponse<String> response = send(HttpRequest.newBuilder(uri(path)).GET());
        assertThat(response.statusCode()).as(path + ": " + response.body()).isEqualTo(200);
        return json.readTree(response.body());
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }
}
