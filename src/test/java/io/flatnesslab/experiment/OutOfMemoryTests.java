package io.flatnesslab.experiment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.Mockito.doAnswer;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

import io.flatnesslab.dataset.DatasetCatalog;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.bean.override.mockito.MockitoSpyBean;
import tools.jackson.databind.json.JsonMapper;

/** An out-of-memory error inside a job fails only that job; the service goes on serving. */
@SpringBootTest(properties = {
        "flatnesslab.data-directory=./target/test-data/${random.uuid}",
        "flatnesslab.datasets.directory=target/no-extra-datasets"})
class OutOfMemoryTests {

    private static final String SPEC = """
            {"dataset": {"trainSize": 50}, "training": {"maxEpochs": 1},
             "groups": [{"key": "g", "hiddenLayers": [8]}], "runsPerGroup": 1,
             "flatness": {"epsilons": [0.1], "directions": 1}}""";

    @MockitoSpyBean
    DatasetCatalog datasets;

    @Autowired
    ExperimentService experiments;

    @Autowired
    JsonMapper json;

    @Test
    void outOfMemoryFailsOnlyThatJob() {
        // The first dataset load on a job thread runs out of memory, as a too large allocation would.
        AtomicBoolean thrown = new AtomicBoolean();
        doAnswer(invocation -> {
            if (Thread.currentThread().getName().startsWith("experiment-") && thrown.compareAndSet(false, true)) {
                throw new OutOfMemoryError("Java heap space");
            }
            return invocation.callRealMethod();
        }).when(datasets).get(anyString());
        ExperimentSpec spec = json.readValue(SPEC, ExperimentSpec.class);

        long failing = experiments.submit(spec).id();
        await().atMost(Duration.ofMinutes(1)).until(() -> experiments.get(failing).status().isFinal());
        long next = experiments.submit(spec).id();
        await().atMost(Duration.ofMinutes(1)).until(() -> experiments.get(next).status().isFinal());

        ExperimentView failed = experiments.get(failing);
        assertThat(failed.status()).isEqualTo(ExperimentStatus.FAILED);
        assertThat(failed.failureReason()).contains("out of memory").contains("Java heap space").contains("-Xmx");
        assertThat(experiments.get(next).status()).isEqualTo(ExperimentStatus.SUCCEEDED);
    }
}
