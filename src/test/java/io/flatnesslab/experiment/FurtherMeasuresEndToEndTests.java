package io.flatnesslab.experiment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

import javax.imageio.ImageIO;

import io.flatnesslab.experiment.ExperimentResults.GroupResults;
import io.flatnesslab.experiment.ExperimentResults.RunResults;
import io.flatnesslab.experiment.MeasureResults.Invariance;
import io.flatnesslab.experiment.MeasureResults.PairInterpolation;
import io.flatnesslab.experiment.MeasureResults.RunMeasures;
import io.flatnesslab.experiment.MeasureResults.ScalarSummary;
import io.flatnesslab.flatness.HessianResult;
import io.flatnesslab.flatness.LandscapeScan.SliceResult;
import io.flatnesslab.flatness.LandscapeScan.SurfaceResult;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.http.MediaType;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.MvcResult;
import tools.jackson.databind.json.JsonMapper;

/**
 * Runs small experiments with every further measure through HTTP, the job, DL4J and H2, and
 * checks the stored results against each other: quantities that two measures compute in
 * different ways must agree.
 */
@SpringBootTest(properties = {
        "flatnesslab.data-directory=./target/test-data/${random.uuid}",
        "flatnesslab.datasets.directory=target/no-extra-datasets"})
@AutoConfigureMockMvc
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FurtherMeasuresEndToEndTests {

    /** Every measure on a small network, GLOBAL directions of the same size as the worst-case radius. */
    private static final String ALL_MEASURES = """
            {
              "seed": 5,
              "dataset": {"trainSize": 120, "testSize": 80},
              "training": {"batchSize": 30, "maxEpochs": 3},
              "groups": [{"key": "small", "hiddenLayers": [12, 8]}],
              "runsPerGroup": 2,
              "flatness": {
                "epsilons": [0.05], "directions": 3,
                "slice": {"points": 11, "directions": 2},
                "surface": {"points": 5},
                "interpolation": {"points": 9},
                "worstCase": {"radius": 0.05, "iterations": 5, "batches": 1},
                "keskar": {"iterations": 3},
                "hessian": {"topK": 2, "maxIterations": 15, "traceSamples": 4, "densityVectors": 1, "lanczosSteps": 8},
                "pacBayes": {"samples": 2, "bisectionSteps": 6, "targetErrorIncrease": 0.02},
                "reparameterization": {"layer": 1, "alpha": 4}
              }
            }""";

    /**
     * Measures that rescale with the parameters, on a network rescaled by a power of two, which
     * float32 represents exactly: the rescaled network computes bit for bit the same outputs.
     */
    private static final String SCALE_AWARE = """
            {
              "seed": 6,
              "dataset": {"trainSize": 100, "testSize": 0},
              "training": {"batchSize": 10, "maxEpochs": 8},
              "groups": [{"key": "scaled", "hiddenLayers": [10, 6]}],
              "runsPerGroup": 1,
              "flatness": {
                "epsilons": [0.02, 0.1], "directions": 2, "normalization": "ELEMENTWISE",
                "worstCase": {"radius": 0.02, "adaptive": true, "iterations": 3, "batches": 2},
                "pacBayes": {"samples": 2, "bisectionSteps": 5, "magnitudeAware": true, "targetErrorIncrease": 0.02},
                "reparameterization": {"layer": 0, "alpha": 4}
              }
            }""";

    @Autowired
    MockMvc mvc;

    @Autowired
    JsonMapper json;

    private long allMeasures;

    private ExperimentResults results;

    @BeforeAll
    void runAllMeasures() throws Exception {
        allMeasures = submit(ALL_MEASURES);
        ExperimentView finished = awaitFinal(allMeasures);
        assertThat(finished.status()).as(finished.failureReason()).isEqualTo(ExperimentStatus.SUCCEEDED);
        assertThat(finished.progress().unitsDone()).isEqualTo(finished.progress().unitsTotal());
        results = results(allMeasures);
    }

    @Test
    void storedSpecShowsResolvedDefaults() throws Exception {
        ExperimentSpec stored = view(allMeasures).spec();

        assertThat(stored.flatness().worstCase().batchSize()).isEqualTo(120);
        assertThat(stored.flatness().keskar().batchSize()).isEqualTo(120);
        assertThat(stored.dataset().testSize()).isEqualTo(80);
    }

    @Test
    void testSplitIsDisjointAndReported() {
        ExperimentResults.TrainingData data = results.trainingData();
        Set<Integer> training = new HashSet<>(data.indices());

        assertThat(data.testSize()).isEqualTo(80);
        assertThat(data.testIndices()).hasSize(80).doesNotHaveDuplicates();
        assertThat(data.testIndices()).noneMatch(training::contains);
        for (RunResults run : group().runs()) {
            MeasureResults.Generalization generalization = run.generalization();
            assertThat(generalization.testSize()).isEqualTo(80);
            assertThat(generalization.trainLoss()).isCloseTo(run.baselineLoss(), within(1e-5 * run.baselineLoss()));
            assertThat(generalization.lossGap()).isEqualTo(generalization.testLoss() - generalization.trainLoss());
            assertThat(generalization.accuracyGap())
                    .isEqualTo(generalization.trainAccuracy() - generalization.testAccuracy());
        }
    }

    @Test
    void sliceAndSurfaceCentresEqualBaseline() {
        for (RunResults run : group().runs()) {
            RunMeasures original = variant(run, NetworkVariant.ORIGINAL);

            assertThat(original.slice().directions()).hasSize(2);
            for (SliceResult slice : original.slice().directions()) {
                assertThat(slice.alphas()[5]).isEqualTo(0.0);
                assertThat(slice.loss()[5]).isCloseTo(run.baselineLoss(), within(1e-5 * run.baselineLoss()));
            }
            SurfaceResult surface = original.surface().surface();
            assertThat(surface.loss()).hasDimensions(5, 5);
            assertThat(surface.loss()[2][2]).isCloseTo(run.baselineLoss(), within(1e-5 * run.baselineLoss()));
        }
    }

    @Test
    void interpolationEndpointsEqualRunLosses() {
        List<RunResults> runs = group().runs();
        List<PairInterpolation> pairs = group().interpolations();

        assertThat(pairs).hasSize(1);
        PairInterpolation pair = pairs.get(0);
        assertThat(pair.runA()).isEqualTo(0);
        assertThat(pair.runB()).isEqualTo(1);
        assertThat(pair.result().lossA()).isCloseTo(runs.get(0).baselineLoss(), within(1e-5 * runs.get(0).baselineLoss()));
        assertThat(pair.result().lossB()).isCloseTo(runs.get(1).baselineLoss(), within(1e-5 * runs.get(1).baselineLoss()));
        assertThat(pair.result().t()).hasSize(9);
        assertThat(pair.result().barrier()).isGreaterThanOrEqualTo(
                maxBetweenEndpoints(pair) - (pair.result().lossA() + pair.result().lossB()) / 2 - 1e-12);
    }

    @Test
    void worstCaseExceedsRandomDirections() {
        for (RunResults run : group().runs()) {
            double worstCase = variant(run, NetworkVariant.ORIGINAL).worstCase().mean();
            List<Double> random = run.lossIncrease().get(0).directions();

            assertThat(run.lossIncrease().get(0).epsilon()).isEqualTo(0.05);
            assertThat(worstCase).isGreaterThanOrEqualTo(random.stream().mapToDouble(Double::doubleValue).max().orElseThrow());
        }
    }

    @Test
    void hessianKeskarAndPacBayesReported() {
        for (RunResults run : group().runs()) {
            RunMeasures original = variant(run, NetworkVariant.ORIGINAL);
            HessianResult hessian = original.hessian();

            assertThat(hessian.topEigenvalues()).hasSize(2);
            assertThat(hessian.topEigenvalues().get(0).value()).isGreaterThanOrEqualTo(hessian.topEigenvalues().get(1).value());
            assertThat(hessian.trace().samples()).isEqualTo(4);
            assertThat(hessian.density().grid()).hasSameSizeAs(hessian.density().values());
            assertThat(original.keskar().sharpness()).isGreaterThanOrEqualTo(0.0);
            assertThat(original.pacBayes().sigma()).isPositive();
            assertThat(original.pacBayes().bracketed()).isTrue();
            assertThat(original.pacBayes().inverseSigmaSquared())
                    .isCloseTo(1 / (original.pacBayes().sigma() * original.pacBayes().sigma()), within(1e-9));
            assertThat(original.costs()).extracting(MeasureResults.Cost::measure)
                    .contains(MeasureKind.SLICE, MeasureKind.SURFACE, MeasureKind.HESSIAN, MeasureKind.PAC_BAYES);
        }
    }

    @Test
    void rescaledVariantRepeatsEveryMeasure() {
        RunResults run = group().runs().get(0);
        RunMeasures rescaled = variant(run, NetworkVariant.RESCALED);
        Map<String, Invariance> rows = run.reparameterization().stream()
                .collect(Collectors.toMap(Invariance::measure, Function.identity()));

        assertThat(rescaled.randomDirections().increases()[0]).hasSize(3);
        assertThat(rescaled.slice()).isNotNull();
        assertThat(rescaled.hessian()).isNotNull();
        assertThat(rows).containsKeys("randomDirections.meanIncrease[epsilon=0.05]", "slice.meanIncrease",
                "surface.meanIncrease", "worstCase.mean", "keskar.sharpness", "hessian.topEigenvalue", "hessian.trace",
                "pacBayes.sigma");
        Invariance global = rows.get("randomDirections.meanIncrease[epsilon=0.05]");
        assertThat(global.after()).isEqualTo(rescaled.randomDirections().mean()[0]);
    }

    @Test
    void groupSummaryCoversEveryRun() {
        Map<String, ScalarSummary> summary = group().measureSummary().stream()
                .collect(Collectors.toMap(ScalarSummary::measure, Function.identity()));
        double[] topEigenvalues = group().runs().stream()
                .mapToDouble(run -> variant(run, NetworkVariant.ORIGINAL).hessian().topEigenvalues().get(0).value())
                .toArray();

        assertThat(summary.get("hessian.topEigenvalue").runs()).isEqualTo(2);
        assertThat(summary.get("hessian.topEigenvalue").mean())
                .isCloseTo((topEigenvalues[0] + topEigenvalues[1]) / 2, within(1e-12));
        assertThat(summary).containsKeys("generalization.testLoss", "generalization.lossGap", "worstCase.mean");
    }

    @Test
    void scaleAwareMeasuresAreInvariant() throws Exception {
        long id = submit(SCALE_AWARE);
        ExperimentView finished = awaitFinal(id);
        assertThat(finished.status()).as(finished.failureReason()).isEqualTo(ExperimentStatus.SUCCEEDED);
        RunResults run = results(id).groups().get(0).runs().get(0);
        Map<String, Invariance> rows = run.reparameterization().stream()
                .collect(Collectors.toMap(Invariance::measure, Function.identity()));

        assertThat(run.generalization().testSize()).isZero();
        assertThat(run.generalization().testLoss()).isNull();
        assertThat(rows.get("randomDirections.meanIncrease[epsilon=0.02]").relativeChange()).isCloseTo(0.0, within(1e-5));
        assertThat(rows.get("randomDirections.meanIncrease[epsilon=0.1]").relativeChange()).isCloseTo(0.0, within(1e-5));
        assertThat(rows.get("worstCase.mean").relativeChange()).isCloseTo(0.0, within(1e-3));
        assertThat(variant(run, NetworkVariant.ORIGINAL).pacBayes().bracketed()).isTrue();
        assertThat(rows.get("pacBayes.sigma").after()).isEqualTo(rows.get("pacBayes.sigma").before());
        assertThat(rows.values()).allMatch(Invariance::invariant);
    }

    @Test
    void sameSpecGivesSameMeasures() throws Exception {
        long again = submit(ALL_MEASURES);
        ExperimentView finished = awaitFinal(again);
        assertThat(finished.status()).as(finished.failureReason()).isEqualTo(ExperimentStatus.SUCCEEDED);
        GroupResults repeated = results(again).groups().get(0);

        assertThat(repeated)
                .usingRecursiveComparison()
                .ignoringFieldsMatchingRegexes(".*runId", ".*Seconds", ".*snapshot\\.url", ".*costs")
                .isEqualTo(group());
    }

    @Test
    void chartsAndCsvRender() throws Exception {
        String charts = "/api/experiments/" + allMeasures + "/charts/";

        assertPng(charts + "slice.png", 900, 560);
        assertPng(charts + "slice.png?run=1&quantity=accuracy&variant=RESCALED", 900, 560);
        assertPng(charts + "surface.png?run=1&levels=6", 800, 700);
        assertPng(charts + "interpolation.png?yScale=log", 900, 560);
        assertPng(charts + "hessian-density.png?width=640&height=400", 640, 400);
        assertPng(charts + "measures.png?measure=hessian.topEigenvalue", 800, 500);
        assertPng(charts + "measures.png?measure=generalization.lossGap&width=500&height=300", 500, 300);
        String csv = mvc.perform(get(charts + "surface.csv?run=0"))
                .andExpect(status().isOk())
                .andExpect(content().contentTypeCompatibleWith("text/csv"))
                .andReturn().getResponse().getContentAsString();
        List<String> lines = csv.lines().toList();
        SurfaceResult surface = variant(group().runs().get(0), NetworkVariant.ORIGINAL).surface().surface();

        assertThat(lines.get(0)).isEqualTo("alpha,beta,loss,accuracy");
        assertThat(lines).hasSize(26);
        assertThat(lines).anyMatch(line -> line.startsWith("0.0,0.0," + surface.loss()[2][2] + ","));
    }

    @Test
    void chartsRejectBadParameters() throws Exception {
        String charts = "/api/experiments/" + allMeasures + "/charts/";

        mvc.perform(get(charts + "slice.png?quantity=curvature"))
                .andExpect(status().isBadRequest())
                .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
                .andExpect(jsonPath("$.errors[0].field").value("quantity"));
        mvc.perform(get(charts + "surface.png?variant=SHIFTED"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[0].field").value("variant"));
        mvc.perform(get(charts + "surface.png?colour=red"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[0].field").value("colour"));
        mvc.perform(get(charts + "measures.png?measure=hessian.bottomEigenvalue"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[0].field").value("measure"))
                .andExpect(jsonPath("$.errors[0].message", containsString("hessian.topEigenvalue")));
        mvc.perform(get(charts + "landscape.png"))
                .andExpect(status().isNotFound())
                .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
                .andExpect(jsonPath("$.detail", containsString("slice.png")));
        mvc.perform(get(charts + "surface.png?run=7"))
                .andExpect(status().isNotFound())
                .andExpect(jsonPath("$.detail", containsString("run 7")));
        mvc.perform(get(charts + "surface.png?group=missing"))
                .andExpect(status().isNotFound())
                .andExpect(jsonPath("$.detail", containsString("missing")));
    }

    private void assertPng(String url, int width, int height) throws Exception {
        byte[] png = mvc.perform(get(url))
                .andExpect(status().isOk())
                .andExpect(content().contentType(MediaType.IMAGE_PNG))
                .andReturn().getResponse().getContentAsByteArray();
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
        assertThat(image.getWidth()).as(url).isEqualTo(width);
        assertThat(image.getHeight()).as(url).isEqualTo(height);
    }

    private static double maxBetweenEndpoints(PairInterpolation pair) {
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < pair.result().t().length; i++) {
            double t = pair.result().t()[i];
            if (t >= 0 && t <= 1) {
                max = Math.max(max, pair.result().loss()[i]);
            }
        }
        return max;
    }

    private GroupResults group() {
        return results.groups().get(0);
    }

    private static RunMeasures variant(RunResults run, NetworkVariant variant) {
        return run.measures().stream().filter(measures -> measures.variant() == variant).findFirst().orElseThrow();
    }

    private long submit(String spec) throws Exception {
        MvcResult result = mvc.perform(post("/api/experiments").contentType(MediaType.APPLICATION_JSON).content(spec))
                .andExpect(status().isAccepted())
                .andReturn();
        return json.readValue(result.getResponse().getContentAsString(), ExperimentView.class).id();
    }

    private ExperimentView awaitFinal(long id) throws Exception {
        await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofMillis(200))
                .until(() -> view(id).status().isFinal());
        return view(id);
    }

    private ExperimentView view(long id) throws Exception {
        String body = mvc.perform(get("/api/experiments/" + id)).andReturn().getResponse().getContentAsString();
        return json.readValue(body, ExperimentView.class);
    }

    private ExperimentResults results(long id) throws Exception {
        String body = mvc.perform(get("/api/experiments/" + id + "/results")).andExpect(status().isOk())
                .andReturn().getResponse().getContentAsString();
        return json.readValue(body, ExperimentResults.class);
    }
}
