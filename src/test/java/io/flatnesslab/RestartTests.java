package io.flatnesslab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.OffsetDateTime;

import io.flatnesslab.experiment.ExperimentResults;
import io.flatnesslab.experiment.ExperimentService;
import io.flatnesslab.experiment.ExperimentSpec;
import io.flatnesslab.experiment.ExperimentStatus;
import io.flatnesslab.experiment.ExperimentView;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.json.JsonMapper;

/** Stored experiments survive a restart on the same H2 file, and the queue is recovered. */
class RestartTests {

    private static final String SMALL_SPEC = """
            {"dataset": {"trainSize": 100}, "training": {"maxEpochs": 2},
             "groups": [{"key": "tiny", "hiddenLayers": [16]}], "runsPerGroup": 2,
             "flatness": {"epsilons": [0.1, 1.0], "directions": 2}}""";

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

        // A process that died mid-run leaves a RUNNING row; one that died early leaves QUEUED ones.
        long abandonedId = insert(specJson, "RUNNING");
        long queuedId = insert(specJson, "QUEUED");

        try (ConfigurableApplicationContext second = start()) {
            ExperimentService service = second.getBean(ExperimentService.class);

            ExperimentResults after = service.results(finishedId);
            assertThat(after).usingRecursiveComparison().isEqualTo(before);

            ExperimentView abandoned = service.get(abandonedId);
            assertThat(abandoned.status()).isEqualTo(ExperimentStatus.FAILED);
            assertThat(abandoned.failureReason()).contains("stopped before it finished");
            assertThat(abandoned.finishedAt()).isNotNull();

            await().atMost(Duration.ofMinutes(2)).until(() -> service.get(queuedId).status().isFinal());
            assertThat(service.get(queuedId).status()).isEqualTo(ExperimentStatus.SUCCEEDED);
            assertThat(service.results(queuedId).groups().get(0).runs()).hasSize(2);
        }
    }

    @Test
    void shutdownRecordsInterruptedExperiment() throws Exception {
        long runningId;
        try (ConfigurableApplicationContext first = start()) {
            ExperimentService service = first.getBean(ExperimentService.class);
            ExperimentSpec slow = first.getBean(JsonMapper.class).readValue(
                    "{\"training\": {\"maxEpochs\": 10000, \"stopAtFullTrainAccuracy\": false},"
                            + " \"groups\": [{\"key\": \"slow\", \"hiddenLayers\": [4]}], \"runsPerGroup\": 1}",
                    ExperimentSpec.class);
            runningId = service.submit(slow).id();
            await().atMost(Duration.ofMinutes(2)).until(() -> service.get(runningId).status() == ExperimentStatus.RUNNING);
        }

        try (ConfigurableApplicationContext second = start()) {
            ExperimentView interrupted = second.getBean(ExperimentService.class).get(runningId);

            assertThat(interrupted.status()).isEqualTo(ExperimentStatus.FAILED);
            assertThat(interrupted.failureReason()).contains("interrupted by the application shutting down");
        }
    }

    private ConfigurableApplicationContext start() {
        return new SpringApplicationBuilder(FlatnessLabApplication.class)
                .properties(
                        "flatnesslab.data-directory=" + dataDirectory,
                        "flatnesslab.datasets.directory=target/no-extra-datasets",
                        "server.port=0")
                .run();
    }

    private long insert(String specJson, String status) throws Exception {
        String url = "jdbc:h2:file:" + dataDirectory + "/flatnesslab";
        try (Connection connection = DriverManager.getConnection(url, "sa", "");
                PreparedStatement statement = connection.prepareStatement(
                        "insert into experiment (status, spec_json, runs_total, runs_done, cancel_requested, created_at) "
                                + "values (?, ?, 2, 0, false, ?)",
                        new String[] {"id"})) {
            statement.setString(1, status);
            statement.setString(2, specJson);
            statement.setObject(3, OffsetDateTime.now());
            statement.executeUpdate();
            try (var keys = statement.getGeneratedKeys()) {
                keys.next();
                return keys.getLong(1);
            }
        }
    }
}
