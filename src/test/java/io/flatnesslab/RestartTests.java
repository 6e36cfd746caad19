package io.flatnesslab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.File;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.flatnesslab.experiment.ExperimentResults;
import io.flatnesslab.experiment.ExperimentService;
import io.flatnesslab.experiment.ExperimentSpec;
import io.flatnesslab.experiment.ExperimentStatus;
import io.flatnesslab.experiment.ExperimentView;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Stored experiments survive a restart on the same H2 file, and the queue is recovered. An
 * experiment interrupted by a shutdown or a crash resumes to the same results as an
 * uninterrupted run of the same spec, down to the SHA-256 of every run's snapshot.
 */
class RestartTests {

    private static final String SMALL_SPEC = """
            {"dataset": {"trainSize": 100}, "training": {"maxEpochs": 2},
             "groups": [{"key": "tiny", "hiddenLayers": [16]}], "runsPerGroup": 2,
             "flatness": {"epsilons": [0.1, 1.0], "directions": 2}}""";

    /** Long enough (about 50 units, several seconds) to be stopped in the middle. */
    private static final String RESUMABLE_SPEC = """
            {"seed": 11, "dataset": {"trainSize": 600},
             "training": {"maxEpochs": 8, "batchSize": 16, "stopAtFullTrainAccuracy": false},
             "groups": [{"key": "wide", "hiddenLayers": [96]}, {"key": "random", "hiddenLayers": [32], "labels": "RANDOM"}],
             "runsPerGroup": 2, "flatness": {"epsilons": [0.05, 0.5], "directions": 3, "twoSided": true}}""";

    /** Stopped while a further measure runs; every measure and the rescaling check are on. */
    private static final String MEASURES_SPEC = """
            {"seed": 12, "dataset": {"trainSize": 300, "testSize": 200}, "training": {"maxEpochs": 2},
             "groups": [{"key": "net", "hiddenLayers": [64, 32]}], "runsPerGroup": 2,
             "flatness": {"epsilons": [0.1], "directions": 2, "normalization": "FILTER",
               "slice": {"points": 41}, "surface": {"points": 15}, "interpolation": {"points": 21},
               "worstCase": {"iterations": 5}, "keskar": {"iterations": 3},
               "hessian": {"topK": 2, "traceSamples": 5, "lanczosSteps": 10},
               "pacBayes": {"samples": 3}, "reparameterization": {}}}""";

    @TempDir
    Path dataDirectory;

    @Test
    void resultsSurviveRestartAndQueueIsRecovered() throws Exception {
        long finishedId;
        ExperimentResults before;
        String specJson;
        try (ConfigurableApplicationContext first = start()) {
            ExperimentService service = first.getBean(ExperimentService.class);
            JsonMapper json = first.getBean(JsonMapper.class);
            ExperimentSpec spec = json.readValue(SMALL_SPEC, ExperimentSpec.class);
            specJson = json.writeValueAsString(spec);

            finishedId = service.submit(spec).id();
            await().atMost(Duration.ofMinutes(2)).until(() -> service.get(finishedId).status().isFinal());
            before = service.results(finishedId);
            assertThat(before.status()).isEqualTo(ExperimentStatus.SUCCEEDED);
        }

        long queuedId = insert(specJson, 2, "QUEUED", 0);

        try (ConfigurableApplicationContext second = start()) {
            ExperimentService service = second.getBean(ExperimentService.class);

            ExperimentResults after = service.results(finishedId);
            assertThat(after).usingRecursiveComparison().isEqualTo(before);

            await().atMost(Duration.ofMinutes(2)).until(() -> service.get(queuedId).status().isFinal());
            assertThat(service.get(queuedId).status()).isEqualTo(ExperimentStatus.SUCCEEDED);
            assertThat(service.results(queuedId).groups().get(0).runs()).hasSize(2);
        }
    }

    @Test
    void experimentStuckAcrossRecoveriesFails() throws Exception {
        String specJson;
        try (ConfigurableApplicationContext first = start()) {
            JsonMapper json = first.getBean(JsonMapper.class);
            specJson = json.writeValueAsString(json.readValue(SMALL_SPEC, ExperimentSpec.class));
        }
        // Died for the third time in a row at unit 7, and once more there now.
        long stuck = insert(specJson, 2, "RUNNING", 3);
        update(stuck, "update experiment set stalled_recoveries = 2, units_at_recovery = 7, units_done = 7 where id = ?");
        // Also died three times, but got further each time.
        long movingOn = insert(specJson, 2, "RUNNING", 3);
        update(movingOn, "update experiment set stalled_recoveries = 2, units_at_recovery = 7, units_done = 9 where id = ?");

        try (ConfigurableApplicationContext second = start()) {
            ExperimentService service = second.getBean(ExperimentService.class);
            ExperimentView failed = service.get(stuck);

            assertThat(failed.status()).isEqualTo(ExperimentStatus.FAILED);
            assertThat(failed.failureReason()).contains("died 3 times in a row without getting past unit 7");
            assertThat(failed.finishedAt()).isNotNull();
            await().atMost(Duration.ofMinutes(2)).until(() -> service.get(movingOn).status().isFinal());
            assertThat(service.get(movingOn).status()).isEqualTo(ExperimentStatus.SUCCEEDED);
            assertThat(service.get(movingOn).progress().recoveries()).isEqualTo(4);
        }
    }

    @Test
    void shutdownSuspendsAndResumesToSameResults() throws Exception {
        long interruptedId;
        try (ConfigurableApplicationContext first = start()) {
            ExperimentService service = first.getBean(ExperimentService.class);
            interruptedId = service.submit(resumableSpec(first)).id();
            await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(20))
                    .until(() -> service.get(interruptedId).progress().unitsDone() >= 12);
        }

        assertThat(column(interruptedId, "status")).isEqualTo("QUEUED");
        assertThat(column(interruptedId, "phase")).isEqualTo("SUSPENDED");
        assertThat(Integer.parseInt(column(interruptedId, "runs_done"))).isLessThan(4);

        try (ConfigurableApplicationContext second = start()) {
            ExperimentService service = second.getBean(ExperimentService.class);
            await().atMost(Duration.ofMinutes(3)).until(() -> service.get(interruptedId).status().isFinal());
            long uninterruptedId = service.submit(resumableSpec(second)).id();
            await().atMost(Duration.ofMinutes(3)).until(() -> service.get(uninterruptedId).status().isFinal());

            assertThat(service.get(interruptedId).status()).isEqualTo(ExperimentStatus.SUCCEEDED);
            assertThat(service.get(interruptedId).progress().recoveries()).isZero();
            assertSameResults(service.results(interruptedId), service.results(uninterruptedId));
        }
    }

    @Test
    void shutdownDuringMeasuresResumesToSameResults() throws Exception {
        long interruptedId;
        try (ConfigurableApplicationContext first = start()) {
            ExperimentService service = first.getBean(ExperimentService.class);
            interruptedId = service.submit(spec(first, MEASURES_SPEC)).id();
            await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(20))
                    .until(() -> String.valueOf(service.get(interruptedId).progress().phase()).startsWith("MEASURING_S"));
        }

        assertThat(column(interruptedId, "phase")).isEqualTo("SUSPENDED");
        assertThat(Integer.parseInt(count("select count(*) from run_measure where experiment_id = " + interruptedId)))
                .isPositive();

        try (ConfigurableApplicationContext second = start()) {
            ExperimentService service = second.getBean(ExperimentService.class);
            await().atMost(Duration.ofMinutes(3)).until(() -> service.get(interruptedId).status().isFinal());
            long uninterruptedId = service.submit(spec(second, MEASURES_SPEC)).id();
            await().atMost(Duration.ofMinutes(3)).until(() -> service.get(uninterruptedId).status().isFinal());

            assertThat(service.get(interruptedId).status()).isEqualTo(ExperimentStatus.SUCCEEDED);
            ExperimentResults resumed = service.results(interruptedId);
            assertThat(resumed.groups().get(0).interpolations()).hasSize(1);
            assertThat(resumed.groups().get(0).runs().get(1).measures()).hasSize(2);
            assertSameResults(resumed, service.results(uninterruptedId));
        }
    }

    /**
     * Kills a second JVM with SIGKILL while it runs the experiment, as a crash or the kernel's
     * out-of-memory killer would, then resumes it in this JVM.
     */
    @Test
    void killedProcessResumesToSameResults() throws Exception {
        ExperimentResults reference;
        String specJson;
        try (ConfigurableApplicationContext first = start()) {
            ExperimentService service = first.getBean(ExperimentService.class);
            ExperimentSpec spec = resumableSpec(first);
            specJson = first.getBean(JsonMapper.class).writeValueAsString(spec);
            long referenceId = service.submit(spec).id();
            await().atMost(Duration.ofMinutes(3)).until(() -> service.get(referenceId).status().isFinal());
            reference = service.results(referenceId);
        }
        long crashedId = insert(specJson, 4, "QUEUED", 0);

        int port = freePort();
        Process child = startChild(port);
        try {
            HttpClient http = HttpClient.newHttpClient();
            JsonMapper json = JsonMapper.builder().build();
            await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(50)).ignoreExceptions().until(() -> {
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + "/api/experiments/" + crashedId)).build(),
                        HttpResponse.BodyHandlers.ofString());
                JsonNode progress = json.readTree(response.body()).get("progress");
                return progress.get("unitsDone").asLong() >= 20;
            });
        } finally {
            child.destroyForcibly();
            assertThat(child.waitFor(1, TimeUnit.MINUTES)).isTrue();
        }
        assertThat(column(crashedId, "status")).isEqualTo("RUNNING");

        try (ConfigurableApplicationContext second = start()) {
            ExperimentService service = second.getBean(ExperimentService.class);
            await().atMost(Duration.ofMinutes(3)).until(() -> service.get(crashedId).status().isFinal());

            ExperimentView resumed = service.get(crashedId);
            assertThat(resumed.status()).isEqualTo(ExperimentStatus.SUCCEEDED);
            assertThat(resumed.progress().recoveries()).isEqualTo(1);
            assertSameResults(service.results(crashedId), reference);
        }
    }

    @Test
    void relativeDataDirectoryIsResolved() throws Exception {
        Path relative = Path.of("target", "test-data", "relative-" + System.nanoTime());

        try (ConfigurableApplicationContext context = new SpringApplicationBuilder(FlatnessLabApplication.class)
                .properties("flatnesslab.data-directory=" + relative, "flatnesslab.datasets.directory=target/no-extra-datasets",
                        "server.port=0")
                .run()) {
            assertThat(context.getEnvironment().getProperty("flatnesslab.data-directory"))
                    .isEqualTo(relative.toAbsolutePath().normalize().toString());
        }
        assertThat(relative.resolve("flatnesslab.mv.db")).exists();
        assertThat(relative.resolve("snapshots")).isDirectory();
    }

    private static void assertSameResults(ExperimentResults resumed, ExperimentResults uninterrupted) {
        assertThat(resumed.complete()).isTrue();
        assertThat(resumed)
                .usingRecursiveComparison()
                .ignoringFields("experimentId")
                .ignoringFieldsMatchingRegexes(".*runId", ".*trainingSeconds", ".*measuringSeconds", ".*snapshot\\.url",
                        ".*costs")
                .isEqualTo(uninterrupted);
    }

    private ExperimentSpec resumableSpec(ConfigurableApplicationContext context) {
        return spec(context, RESUMABLE_SPEC);
    }

    private static ExperimentSpec spec(ConfigurableApplicationContext context, String json) {
        return context.getBean(JsonMapper.class).readValue(json, ExperimentSpec.class);
    }

    private ConfigurableApplicationContext start() {
        return new SpringApplicationBuilder(FlatnessLabApplication.class)
                .properties(commonProperties().toArray(String[]::new))
                .properties("server.port=0")
                .run();
    }

    private List<String> commonProperties() {
        return List.of(
                "flatnesslab.data-directory=" + dataDirectory,
                "flatnesslab.datasets.directory=target/no-extra-datasets",
                "flatnesslab.jobs.checkpoint-interval=0s");
    }

    private Process startChild(int port) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(FlatnessLabApplication.class.getName());
        commonProperties().forEach(property -> command.add("--" + property));
        command.add("--server.port=" + port);
        File log = dataDirectory.resolve("child.log").toFile();
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log).start();
    }

    private static int freePort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private Connection connect() throws Exception {
        return DriverManager.getConnection("jdbc:h2:file:" + dataDirectory + "/flatnesslab", "sa", "");
    }

    private String column(long id, String name) throws Exception {
        try (Connection connection = connect();
                PreparedStatement statement = connection.prepareStatement("select " + name + " from experiment where id = ?")) {
            statement.setLong(1, id);
            try (ResultSet row = statement.executeQuery()) {
                assertThat(row.next()).isTrue();
                return row.getString(1);
            }
        }
    }

    private String count(String sql) throws Exception {
        try (Connection connection = connect(); PreparedStatement statement = connection.prepareStatement(sql);
                ResultSet row = statement.executeQuery()) {
            assertThat(row.next()).isTrue();
            return row.getString(1);
        }
    }

    private void update(long id, String sql) throws Exception {
        try (Connection connection = connect(); PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setLong(1, id);
            assertThat(statement.executeUpdate()).isEqualTo(1);
        }
    }

    private long insert(String specJson, int runsTotal, String status, int recoveries) throws Exception {
        try (Connection connection = connect();
                PreparedStatement statement = connection.prepareStatement(
                        "insert into experiment (status, spec_json, runs_total, runs_done, cancel_requested, created_at, "
                                + "resume_count) values (?, ?, ?, 0, false, ?, ?)",
                        new String[] {"id"})) {
            statement.setString(1, status);
            statement.setString(2, specJson);
            statement.setInt(3, runsTotal);
            statement.setObject(4, OffsetDateTime.now());
            statement.setInt(5, recoveries);
            statement.executeUpdate();
            try (var keys = statement.getGeneratedKeys()) {
                keys.next();
                return keys.getLong(1);
            }
        }
    }
}
