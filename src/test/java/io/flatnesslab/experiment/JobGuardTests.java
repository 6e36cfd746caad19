package io.flatnesslab.experiment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Limits and the API key over real HTTP: each rejection is a problem that names the fix. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "flatnesslab.data-directory=./target/test-data/${random.uuid}",
        "flatnesslab.datasets.directory=target/no-extra-datasets",
        "flatnesslab.experiments.max-queued=1",
        "flatnesslab.experiments.max-work-units=1000000",
        "flatnesslab.experiments.max-job-memory=64MB",
        "flatnesslab.web.api-key=test-key",
        "flatnesslab.web.max-json-size=2KB"})
class JobGuardTests {

    private static final String KEY = "test-key";

    /** Never reaches 100 % on random labels, so it runs until cancelled. */
    private static final String ENDLESS_SPEC = """
            {"dataset": {"trainSize": 30}, "training": {"maxEpochs": 10000, "stopAtFullTrainAccuracy": false},
             "groups": [{"key": "endless", "hiddenLayers": [2], "labels": "RANDOM"}], "runsPerGroup": 1,
             "flatness": {"epsilons": [0.1], "directions": 1}}""";

    private static final String TINY_SPEC = """
            {"dataset": {"trainSize": 20}, "training": {"maxEpochs": 1},
             "groups": [{"key": "tiny", "hiddenLayers": [4]}], "runsPerGroup": 1,
             "flatness": {"epsilons": [0.1], "directions": 1}}""";

    @LocalServerPort
    int port;

    @Autowired
    JsonMapper json;

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void fullQueueGets429WithRetryAfter() throws Exception {
        long running = json.readTree(post(ENDLESS_SPEC, KEY).body()).get("id").asLong();
        await().atMost(Duration.ofMinutes(1)).until(() -> status(running).equals("RUNNING"));
        HttpResponse<String> queued = post(TINY_SPEC, KEY);

        HttpResponse<String> rejected = post(TINY_SPEC, KEY);

        assertThat(queued.statusCode()).isEqualTo(202);
        assertThat(rejected.statusCode()).isEqualTo(429);
        assertThat(rejected.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(Long.parseLong(rejected.headers().firstValue("Retry-After").orElseThrow())).isBetween(1L, 3600L);
        assertThat(json.readTree(rejected.body()).get("detail").asString()).contains("max-queued");

        cancel(json.readTree(queued.body()).get("id").asLong());
        cancel(running);
        await().atMost(Duration.ofMinutes(1)).until(() -> status(running).equals("CANCELLED"));
    }

    @Test
    void mutatingRequestsNeedApiKey() throws Exception {
        HttpResponse<String> missing = post(TINY_SPEC, null);
        HttpResponse<String> wrong = post(TINY_SPEC, "not-the-key");
        HttpResponse<String> delete = send(HttpRequest.newBuilder(uri("/api/experiments/1")).DELETE());
        HttpResponse<String> read = send(HttpRequest.newBuilder(uri("/api/experiments")).GET());
        HttpResponse<String> health = send(HttpRequest.newBuilder(uri("/actuator/health")).GET());

        assertThat(missing.statusCode()).isEqualTo(401);
        assertThat(missing.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(missing.headers().firstValue("WWW-Authenticate").orElseThrow()).contains("X-API-Key");
        assertThat(json.readTree(missing.body()).get("detail").asString()).contains("X-API-Key");
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(wrong.body()).doesNotContain(KEY);
        assertThat(delete.statusCode()).isEqualTo(401);
        assertThat(read.statusCode()).isEqualTo(200);
        assertThat(health.statusCode()).isEqualTo(200);
    }

    @Test
    void oversizedJsonGets413() throws Exception {
        String padded = TINY_SPEC.replace("\"tiny\"", "\"" + "x".repeat(3000) + "\"");

        HttpResponse<String> declared = post(padded, KEY);
        HttpResponse<String> chunked = send(HttpRequest.newBuilder(uri("/api/experiments"))
                .header("Content-Type", "application/json")
                .header("X-API-Key", KEY)
                .POST(HttpRequest.BodyPublishers.ofInputStream(
                        () -> new ByteArrayInputStream(padded.getBytes(StandardCharsets.UTF_8)))));

        for (HttpResponse<String> response : new HttpResponse[] {declared, chunked}) {
            assertThat(response.statusCode()).isEqualTo(413);
            assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
            assertThat(json.readTree(response.body()).get("detail").asString()).contains("max-json-size");
        }
    }

    @Test
    void workAndMemoryLimitsNameTheFields() throws Exception {
        String tooMuchWork = TINY_SPEC.replace("\"maxEpochs\": 1", "\"maxEpochs\": 10000")
                .replace("\"trainSize\": 20", "\"trainSize\": 1000");
        String tooWide = TINY_SPEC.replace("[4]", "[5000, 5000]");

        HttpResponse<String> work = post(tooMuchWork, KEY);
        HttpResponse<String> memory = post(tooWide, KEY);

        assertThat(work.statusCode()).isEqualTo(400);
        JsonNode workError = json.readTree(work.body()).get("errors").get(0);
        assertThat(workError.get("field").asString()).isEqualTo("runsPerGroup");
        // 1 run x (10000 epochs + 2 baselines + 1 direction) x 1000 examples, plus the train and
        // test loss of the generalization, 1000 examples each.
        assertThat(workError.get("message").asString()).contains("10,005,000 example passes").contains("max-work-units");
        assertThat(memory.statusCode()).isEqualTo(400);
        JsonNode memoryError = json.readTree(memory.body()).get("errors").get(0);
        assertThat(memoryError.get("field").asString()).isEqualTo("groups[0].hiddenLayers");
        assertThat(memoryError.get("message").asString()).contains("off-heap memory").contains("max-job-memory");
    }

    @Test
    void onlyHealthInfoAndMetricsAreExposed() throws Exception {
        HttpResponse<String> info = send(HttpRequest.newBuilder(uri("/actuator/info")).GET());

        assertThat(info.statusCode()).isEqualTo(200);
        assertThat(json.readTree(info.body()).get("build").get("artifact").asString()).isEqualTo("flatness-lab");
        assertThat(send(HttpRequest.newBuilder(uri("/actuator/metrics")).GET()).statusCode()).isEqualTo(200);
        assertThat(send(HttpRequest.newBuilder(uri("/actuator/env")).GET()).statusCode()).isEqualTo(404);
        assertThat(send(HttpRequest.newBuilder(uri("/actuator/heapdump")).GET()).statusCode()).isEqualTo(404);
        assertThat(send(HttpRequest.newBuilder(uri("/h2-console")).GET()).statusCode()).isEqualTo(404);
    }

    private void cancel(long id) throws Exception {
        send(HttpRequest.newBuilder(uri("/api/experiments/" + id + "/cancel")).header("X-API-Key", KEY)
                .POST(HttpRequest.BodyPublishers.noBody()));
    }

    private String status(long id) throws Exception {
        return json.readTree(send(HttpRequest.newBuilder(uri("/api/experiments/" + id)).GET()).body())
                .get("status").asString();
    }

    private HttpResponse<String> post(String spec, String key) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri("/api/experiments"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(spec));
        if (key != null) {
            request.header("X-API-Key", key);
        }
        return send(request);
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }
}
