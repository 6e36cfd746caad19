package io.flatnesslab.experiment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.delete;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;

import javax.imageio.ImageIO;

import io.flatnesslab.dataset.DatasetCatalog;
import io.flatnesslab.dataset.LabeledData;
import io.flatnesslab.experiment.ExperimentResults.GroupResults;
import io.flatnesslab.experiment.ExperimentResults.OverDirections;
import io.flatnesslab.experiment.ExperimentResults.RunResults;
import io.flatnesslab.flatness.Statistics;
import io.flatnesslab.training.Tensors;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.http.MediaType;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.MvcResult;
import tools.jackson.databind.json.JsonMapper;

/** Runs small experiments through the whole stack: HTTP, executor, DL4J, H2 and charts. */
// File-mode H2 as in production: its BLOB streams behave differently from in-memory ones.
@SpringBootTest(properties = {
        "flatnesslab.data-directory=./target/test-data/${random.uuid}",
        "flatnesslab.datasets.directory=target/no-extra-datasets"})
@AutoConfigureMockMvc
class ExperimentEndToEndTests {

    private static final String SMALL_SPEC = """
            {
              "seed": 3,
              "dataset": {"trainSize": 200},
              "training": {"batchSize": 32, "maxEpochs": 4},
              "groups": [
                {"key": "wide", "hiddenLayers": [64, 64]},
                {"key": "narrow", "hiddenLayers": [8, 8]},
                {"key": "wide-random", "hiddenLayers": [64, 64], "labels": "RANDOM"}
              ],
              "runsPerGroup": 2,
              "flatness": {"epsilons": [0.05, 2.0], "directions": 2}
            }""";

    @Autowired
    MockMvc mvc;

    @Autowired
    JsonMapper json;

    @Autowired
    DatasetCatalog datasets;

    @TempDir
    Path downloads;

    @Test
    void smallExperimentRunsToResultsChartsAndSnapshots() throws Exception {
        long id = submit(SMALL_SPEC);
        ExperimentView finished = awaitFinal(id);

        assertThat(finished.status()).isEqualTo(ExperimentStatus.SUCCEEDED);
        assertThat(finished.progress().runsDone()).isEqualTo(6);
        assertThat(finished.progress().runsTotal()).isEqualTo(6);
        assertThat(finished.startedAt()).isAfterOrEqualTo(finished.createdAt());
        assertThat(finished.finishedAt()).isAfterOrEqualTo(finished.startedAt());
        assertThat(finished.spec().training().learningRate()).isEqualTo(0.1);
        assertThat(finished.spec().dataset().testSize()).isEqualTo(1000);

        ExperimentResults results = results(id);
        checkResults(results);
        checkCharts(id);
        checkSnapshots(id, results);
    }

    @Test
    void experimentCanBeCancelledAndDeleted() throws Exception {
        long running = submit("""
                {"dataset": {"trainSize": 1000}, "training": {"maxEpochs": 10000, "stopAtFullTrainAccuracy": false},
                 "groups": [{"key": "slow", "hiddenLayers": [4]}], "runsPerGroup": 1}""");
        long queued = submit("{\"groups\": [{\"key\": \"later\", \"hiddenLayers\": [4]}], \"runsPerGroup\": 1}");
        await().atMost(Duration.ofMinutes(2)).until(() -> view(running).status() == ExperimentStatus.RUNNING);

        mvc.perform(get("/api/experiments/" + running + "/results"))
                .andExpect(status().isConflict())
                .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
                .andExpect(jsonPath("$.status").value(409))
                .andExpect(jsonPath("$.experimentStatus").value("RUNNING"))
                .andExpect(jsonPath("$.detail", containsString("RUNNING")));
        mvc.perform(get("/api/experiments/" + running + "/charts/flatness.png")).andExpect(status().isConflict());
        mvc.perform(delete("/api/experiments/" + running)).andExpect(status().isConflict());

        mvc.perform(post("/api/experiments/" + queued + "/cancel"))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.status").value("CANCELLED"));
        mvc.perform(post("/api/experiments/" + running + "/cancel"))
                .andExpect(status().isAccepted())
                .andExpect(jsonPath("$.progress.cancelRequested").value(true));
        assertThat(awaitFinal(running).status()).isEqualTo(ExperimentStatus.CANCELLED);

        mvc.perform(post("/api/experiments/" + running + "/cancel")).andExpect(status().isConflict());
        ExperimentResults partial = results(running);
        assertThat(partial.complete()).isFalse();
        assertThat(partial.groups().get(0).runs()).isEmpty();
        assertThat(partial.groups().get(0).parameterCount()).isEqualTo(784L * 4 + 4 + 4 * 10 + 10);
        assertThat(partial.groups().get(0).lossIncrease().get(0).mean()).isNull();

        mvc.perform(get("/api/experiments").param("status", "CANCELLED"))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.content[0].id").value(queued))
                .andExpect(jsonPath("$.content[1].id").value(running));

        mvc.perform(delete("/api/experiments/" + running)).andExpect(status().isNoContent());
        mvc.perform(get("/api/experiments/" + running)).andExpect(status().isNotFound());
    }

    @Test
    void twoSidedDoubleExperimentReportsParts() throws Exception {
        long id = submit("""
                {"dataset": {"trainSize": 100}, "training": {"maxEpochs": 3},
                 "groups": [{"key": "small", "hiddenLayers": [16]}], "runsPerGroup": 2,
                 "flatness": {"epsilons": [0.1, 1.0], "directions": 3, "twoSided": true, "precision": "DOUBLE"}}""");
        assertThat(awaitFinal(id).status()).isEqualTo(ExperimentStatus.SUCCEEDED);

        ExperimentResults results = results(id);
        GroupResults group = results.groups().get(0);
        for (RunResults run : group.runs()) {
            assertThat(run.float32Loss()).isNotNull();
            assertThat(run.float64Loss()).isEqualTo(run.baselineLoss());
            assertThat(run.float32RoundOff()).isEqualTo(Math.abs(run.float32Loss() - run.float64Loss()));
            for (OverDirections perEpsilon : run.lossIncrease()) {
                ExperimentResults.TwoSided twoSided = perEpsilon.twoSided();
                assertThat(twoSided).isNotNull();
                assertThat(twoSided.minusDirections()).hasSize(3);
                for (int k = 0; k < 3; k++) {
                    double plus = perEpsilon.directions().get(k);
                    double minus = twoSided.minusDirections().get(k);
                    assertThat(twoSided.curvature().values().get(k)).isEqualTo(0.5 * (plus + minus));
                    assertThat(twoSided.firstOrder().values().get(k)).isEqualTo(0.5 * (plus - minus));
                }
                double epsilon = perEpsilon.epsilon();
                assertThat(perEpsilon.impliedMeanCurvature())
                        .isEqualTo(2 * twoSided.curvature().mean() / (epsilon * epsilon));
                assertThat(perEpsilon.standardError()).isNotNull();
                assertThat(perEpsilon.distinguishableFromZero()).isNotNull();
            }
        }
        ExperimentResults.OverRuns atLarge = group.lossIncrease().get(1);
        double[] runCurvatures = group.runs().stream()
                .mapToDouble(run -> run.lossIncrease().get(1).twoSided().curvature().mean()).toArray();
        assertThat(atLarge.curvature().mean()).isEqualTo(Statistics.mean(runCurvatures));
        assertThat(atLarge.firstOrder()).isNotNull();
        assertThat(atLarge.runsAtFullTrainAccuracy()).isBetween(0, 2);

        mvc.perform(get("/api/experiments/" + id + "/charts/flatness.png").param("measure", "curvature"))
                .andExpect(status().isOk())
                .andExpect(content().contentType(MediaType.IMAGE_PNG));
        mvc.perform(get("/api/experiments/" + id + "/charts/flatness.png").param("measure", "hessian"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[0].field").value("measure"));
    }

    private void checkResults(ExperimentResults results) {
        assertThat(results.complete()).isTrue();
        assertThat(results.epsilons()).containsExactly(0.05, 2.0);
        assertThat(results.groups()).extracting(GroupResults::key).containsExactly("wide", "narrow", "wide-random");

        List<Integer> indices = results.trainingData().indices();
        assertThat(indices).hasSize(200).isSorted().allSatisfy(index -> assertThat(index).isBetween(0, 9999));
        assertThat(new HashSet<>(indices)).hasSize(200);
        assertThat(results.trainingData().randomLabels()).hasSize(200)
                .allSatisfy(label -> assertThat(label).isBetween(0, 9));

        double smallSum = 0;
        double largeSum = 0;
        for (GroupResults group : results.groups()) {
            assertThat(group.runs()).hasSize(2);
            for (RunResults run : group.runs()) {
                assertThat(run.baselineLoss()).isFinite().isPositive();
                assertThat(run.epochsTrained()).isBetween(1, 4);
                assertThat(run.epochs()).hasSize(run.epochsTrained());
                assertThat(run.finalTrainAccuracy()).isBetween(0.0, 1.0);
                assertThat(run.lossIncrease()).hasSize(2);
                for (OverDirections perEpsilon : run.lossIncrease()) {
                    double[] values = perEpsilon.directions().stream().mapToDouble(Double::doubleValue).toArray();
                    assertThat(values).hasSize(2);
                    assertThat(perEpsilon.mean()).isEqualTo(Statistics.mean(values));
                    assertThat(perEpsilon.std()).isEqualTo(Statistics.populationStd(values));
                }
                smallSum += run.lossIncrease().get(0).mean();
                largeSum += run.lossIncrease().get(1).mean();
            }

            double[] runMeansAtLarge = group.runs().stream().mapToDouble(run -> run.lossIncrease().get(1).mean()).toArray();
            assertThat(group.lossIncrease().get(1).mean()).isEqualTo(Statistics.mean(runMeansAtLarge));
            assertThat(group.lossIncrease().get(1).std()).isEqualTo(Statistics.populationStd(runMeansAtLarge));
            assertThat(group.lossIncrease().get(1).runs()).isEqualTo(2);
        }
        assertThat(largeSum).isGreaterThan(smallSum);
        assertThat(results.groups().get(0).parameterCount()).isEqualTo(784L * 64 + 64 + 64 * 64 + 64 + 64 * 10 + 10);
    }

    private void checkCharts(long id) throws Exception {
        MvcResult chart = mvc.perform(get("/api/experiments/" + id + "/charts/flatness.png")
                        .param("groups", "wide,narrow").param("width", "640").param("height", "400"))
                .andExpect(status().isOk())
                .andExpect(content().contentType(MediaType.IMAGE_PNG))
                .andReturn();
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(chart.getResponse().getContentAsByteArray()));
        assertThat(image).isNotNull();
        assertThat(image.getWidth()).isEqualTo(640);
        assertThat(image.getHeight()).isEqualTo(400);

        mvc.perform(get("/api/experiments/" + id + "/charts/flatness.png").param("groups", "wide,missing"))
                .andExpect(status().isBadRequest())
                .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
                .andExpect(jsonPath("$.errors[0].field").value("groups"))
                .andExpect(jsonPath("$.errors[0].message", containsString("missing")));
        mvc.perform(get("/api/experiments/" + id + "/charts/flatness.png").param("measure", "curvature"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[0].message", containsString("two-sided")));
        mvc.perform(get("/api/experiments/" + id + "/charts/flatness.png").param("xscale", "linear"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[0].field").value("xscale"))
                .andExpect(jsonPath("$.errors[0].message", containsString("xScale")));
        mvc.perform(get("/api/experiments/" + id + "/charts/flatness.png").param("width", "10"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[0].field").value("width"));
        mvc.perform(get("/api/experiments/" + id + "/charts/flatness.png").param("height", "100000"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[0].field").value("height"));
    }

    private void checkSnapshots(long id, ExperimentResults results) throws Exception {
        LabeledData natural = datasets.get("mnist-10k").select(
                results.trainingData().indices().stream().mapToInt(Integer::intValue).toArray());
        LabeledData random = natural.withLabels(
                results.trainingData().randomLabels().stream().mapToInt(Integer::intValue).toArray());

        for (GroupResults group : List.of(results.groups().get(0), results.groups().get(2))) {
            RunResults run = group.runs().get(1);
            MvcResult download = mvc.perform(get(run.snapshot().url()))
                    .andExpect(status().isOk())
                    .andExpect(header().string("ETag", "\"" + run.snapshot().sha256() + "\""))
                    .andReturn();
            byte[] bytes = download.getResponse().getContentAsByteArray();
            mvc.perform(get(run.snapshot().url()).header("If-None-Match", "\"" + run.snapshot().sha256() + "\""))
                    .andExpect(status().isNotModified());
            assertThat((long) bytes.length).isEqualTo(run.snapshot().sizeBytes());
            assertThat(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)))
                    .isEqualTo(run.snapshot().sha256());

            Path file = Files.write(downloads.resolve(group.key() + ".zip"), bytes);
            MultiLayerNetwork network = MultiLayerNetwork.load(file.toFile(), false);
            LabeledData data = group.labels() == LabelMode.RANDOM ? random : natural;
            double loss = network.score(Tensors.dataSet(data), false);

            assertThat(network.numParams()).isEqualTo(group.parameterCount());
            assertThat(loss).isCloseTo(run.baselineLoss(), within(1e-6 * run.baselineLoss()));
        }

        mvc.perform(get("/api/experiments/" + id + "/runs/999999/snapshot"))
                .andExpect(status().isNotFound())
                .andExpect(jsonPath("$.detail", containsString("run 999999 not found")));
    }

    private long submit(String spec) throws Exception {
        MvcResult result = mvc.perform(post("/api/experiments").contentType(MediaType.APPLICATION_JSON).content(spec))
                .andExpect(status().isAccepted())
                .andExpect(jsonPath("$.status").value("QUEUED"))
                .andReturn();
        long id = json.readValue(result.getResponse().getContentAsString(), ExperimentView.class).id();
        assertThat(result.getResponse().getHeader("Location")).isEqualTo("/api/experiments/" + id);
        return id;
    }

    private ExperimentView awaitFinal(long id) throws Exception {
        await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofMillis(200))
                .until(() -> view(id).status().isFinal());
        return view(id);
    }

    private ExperimentView view(long id) throws Exception {
        String body = mvc.perform(get("/api/experiments/" + id)).andExpect(status().isOk())
                .andReturn().getResponse().getContentAsString();
        return json.readValue(body, ExperimentView.class);
    }

    private ExperimentResults results(long id) throws Exception {
        String body = mvc.perform(get("/api/experiments/" + id + "/results")).andExpect(status().isOk())
                .andReturn().getResponse().getContentAsString();
        return json.readValue(body, ExperimentResults.class);
    }
}
