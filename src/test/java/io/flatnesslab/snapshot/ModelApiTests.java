package io.flatnesslab.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.delete;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.multipart;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

import io.flatnesslab.dataset.DatasetCatalog;
import io.flatnesslab.dataset.LabeledData;
import io.flatnesslab.flatness.FlatnessMeasurement;
import io.flatnesslab.flatness.FlatnessMeter;
import io.flatnesslab.training.Tensors;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.core.io.ClassPathResource;
import org.springframework.http.MediaType;
import org.springframework.mock.web.MockMultipartFile;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.MvcResult;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Import and export of safetensors models over HTTP, and agreement with the losses PyTorch
 * computed for the same weights, data and directions (fixture made by
 * tools/reference/make_fixture.py).
 */
// File-mode H2 as in production: its BLOB streams behave differently from in-memory ones.
@SpringBootTest(properties = {
        "flatnesslab.data-directory=./target/test-data/${random.uuid}",
        "flatnesslab.datasets.directory=target/no-extra-datasets"})
@AutoConfigureMockMvc
class ModelApiTests {

    private static final String FIXTURE = "fixtures/pytorch-mlp/";

    @Autowired
    MockMvc mvc;

    @Autowired
    JsonMapper json;

    @Autowired
    SnapshotStore snapshots;

    @Autowired
    DatasetCatalog datasets;

    @Test
    void lossesAgreeWithPyTorch() throws Exception {
        JsonNode expected = json.readTree(new ClassPathResource(FIXTURE + "losses.json").getInputStream());
        ModelInfo model = importModel(fixture("model.safetensors"), "pytorch fixture");
        MultiLayerNetwork network = snapshots.loadNetwork(model.snapshotId());

        int[] indices = new int[expected.get("indices").size()];
        for (int i = 0; i < indices.length; i++) {
            indices[i] = expected.get("indices").get(i).asInt();
        }
        LabeledData data = datasets.get("mnist-10k").select(indices);
        double[] epsilons = new double[expected.get("epsilons").size()];
        for (int e = 0; e < epsilons.length; e++) {
            epsilons[e] = expected.get("epsilons").get(e).asDouble();
        }
        float[][] directions = readDirections(fixture("directions.safetensors"), expected.get("directions"));

        FlatnessMeasurement measured = FlatnessMeter.measure(network, Tensors.dataSet(data), epsilons, directions.length,
                (k, direction) -> {
                    direction.assign(Nd4j.createFromArray(directions[k]).reshape(direction.shape()));
                    direction.divi(direction.norm2Number());
                }, () -> false);

        double baseline = expected.get("baselineLoss").asDouble();
        assertThat(measured.baselineLoss()).isCloseTo(baseline, within(1e-5 * baseline));
        for (int k = 0; k < directions.length; k++) {
            for (int e = 0; e < epsilons.length; e++) {
                double pytorch = expected.get("perturbedLosses").get(k).get(e).asDouble();
                double flatnessLab = measured.baselineLoss() + measured.increases()[e][k];
                assertThat(flatnessLab).as("direction %d, epsilon %s", k, epsilons[e])
                        .isCloseTo(pytorch, within(1e-5 * pytorch));
            }
        }
    }

    @Test
    void exportThenImportIsBitExact() throws Exception {
        byte[] original = fixture("model.safetensors");
        ModelInfo first = importModel(original, null);

        byte[] exported = download("/api/models/" + first.id() + "/snapshot?format=safetensors");
        ModelInfo second = importModel(exported, null);
        byte[] exportedAgain = download("/api/models/" + second.id() + "/snapshot?format=safetensors");

        assertThat(first.architecture()).isEqualTo("784-64-64-10");
        assertThat(first.parameterCount()).isEqualTo(784L * 64 + 64 + 64 * 64 + 64 + 64 * 10 + 10);
        assertThat(exportedAgain).isEqualTo(exported);
        mvc.perform(get("/api/models/" + first.id() + "/snapshot").param("format", "onnx"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[0].field").value("format"));
        // The data sections hold the same float32 bits as the file PyTorch wrote.
        assertThat(dataSection(exported)).isEqualTo(dataSection(original));
    }

    @Test
    void halfPrecisionModelIsWidenedOnImport() throws Exception {
        byte[] original = fixture("model.safetensors");
        byte[] half = toHalfPrecision(original);

        ModelInfo model = importModel(half, "half");
        float[] parameters = snapshots.loadNetwork(model.snapshotId()).params().toFloatVector();
        ByteBuffer halfData = ByteBuffer.wrap(dataSection(half)).order(ByteOrder.LITTLE_ENDIAN);

        assertThat(model.sourceDtype()).isEqualTo("F16");
        for (int i = 0; i < parameters.length; i++) {
            assertThat(parameters[i]).isEqualTo(SafetensorsReader.halfToFloat(halfData.getShort()));
        }
    }

    @Test
    void malformedUploadsAreBadRequests() throws Exception {
        List<byte[]> files = List.of(
                SafetensorsTestFiles.withDeclaredLength(2L << 30, new byte[16]),
                SafetensorsTestFiles.file("{\"fc1.weight\": [", new byte[8]),
                SafetensorsTestFiles.file(SafetensorsTestFiles.tinyHeader().replace("F32", "F64"), new byte[56]),
                SafetensorsTestFiles.file(SafetensorsTestFiles.tinyHeader(), new byte[56]));
        List<String> messages = List.of("invalid header length", "not valid JSON", "dtype F64",
                "fc1.weight has 3 inputs, but the available datasets have [784] inputs");

        for (int i = 0; i < files.size(); i++) {
            mvc.perform(multipart("/api/models").file(new MockMultipartFile("file", "bad.safetensors", null, files.get(i))))
                    .andExpect(status().isBadRequest())
                    .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
                    .andExpect(jsonPath("$.errors[0].field").value("file"))
                    .andExpect(jsonPath("$.detail", containsString(messages.get(i))));
        }
        mvc.perform(multipart("/api/models").file(new MockMultipartFile("file", "empty.safetensors", null, new byte[0])))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[0].field").value("file"));
        mvc.perform(multipart("/api/models").param("name", "no file"))
                .andExpect(status().isBadRequest())
                .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON));
        mvc.perform(post("/api/models").contentType("multipart/form-data").content(new byte[] {1, 2, 3}))
                .andExpect(status().isBadRequest())
                .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON));
    }

    @Test
    void deletedModelIsGone() throws Exception {
        ModelInfo model = importModel(fixture("model.safetensors"), "to delete");

        mvc.perform(delete("/api/models/" + model.id()))
                .andExpect(status().isNoContent());

        mvc.perform(get("/api/models/" + model.id())).andExpect(status().isNotFound());
        assertThat(snapshots.find(model.snapshotId())).isEmpty();
        mvc.perform(delete("/api/models/" + model.id()))
                .andExpect(status().isNotFound());
    }

    @Test
    void modelDeletedWhileQueuedFailsClearly() throws Exception {
        String slow = mvc.perform(post("/api/experiments").contentType(MediaType.APPLICATION_JSON)
                        .content("{\"training\": {\"maxEpochs\": 10000, \"stopAtFullTrainAccuracy\": false},"
                                + " \"groups\": [{\"key\": \"blocker\", \"hiddenLayers\": [4]}], \"runsPerGroup\": 1}"))
                .andExpect(status().isAccepted()).andReturn().getResponse().getHeader("Location");
        ModelInfo model = importModel(fixture("model.safetensors"), "deleted later");
        String queued = mvc.perform(post("/api/models/" + model.id() + "/flatness").contentType(MediaType.APPLICATION_JSON)
                        .content("{\"dataset\": {\"trainSize\": 100}}"))
                .andExpect(status().isAccepted()).andReturn().getResponse().getHeader("Location");

        mvc.perform(delete("/api/models/" + model.id())).andExpect(status().isNoContent());
        mvc.perform(post(slow + "/cancel")).andExpect(status().isAccepted());

        await().atMost(Duration.ofMinutes(2)).until(() -> experimentStatus(queued).equals("FAILED"));
        JsonNode failed = json.readTree(mvc.perform(get(queued)).andReturn().getResponse().getContentAsString());
        assertThat(failed.get("failureReason").asString()).contains("imported model " + model.id() + " was deleted");
    }

    private String experimentStatus(String location) throws Exception {
        return json.readTree(mvc.perform(get(location)).andReturn().getResponse().getContentAsString())
                .get("status").asString();
    }

    @Test
    void unknownModelIsNotFound() throws Exception {
        mvc.perform(get("/api/models/424242")).andExpect(status().isNotFound())
                .andExpect(jsonPath("$.detail", containsString("model 424242 not found")));
        mvc.perform(post("/api/models/424242/flatness").contentType(MediaType.APPLICATION_JSON).content("{}"))
                .andExpect(status().isNotFound());
    }

    @Test
    void importedModelIsMeasuredAsExperiment() throws Exception {
        ModelInfo model = importModel(fixture("model.safetensors"), "measured");

        MvcResult queued = mvc.perform(post("/api/models/" + model.id() + "/flatness").contentType(MediaType.APPLICATION_JSON)
                        .content("{\"dataset\": {\"trainSize\": 300}, \"flatness\": {\"epsilons\": [0.1, 1.0], \"directions\": 2}}"))
                .andExpect(status().isAccepted())
                .andExpect(jsonPath("$.spec.model").value(model.id()))
                .andReturn();
        String location = queued.getResponse().getHeader("Location");
        await().atMost(Duration.ofMinutes(2)).until(() -> {
            String body = mvc.perform(get(location)).andReturn().getResponse().getContentAsString();
            return json.readTree(body).get("status").asString().equals("SUCCEEDED");
        });

        JsonNode results = json.readTree(mvc.perform(get(location + "/results")).andExpect(status().isOk())
                .andReturn().getResponse().getContentAsString());
        JsonNode run = results.get("groups").get(0).get("runs").get(0);
        assertThat(results.get("groups")).hasSize(1);
        assertThat(results.get("groups").get(0).get("key").asString()).isEqualTo("model-" + model.id());
        assertThat(run.get("epochsTrained").asInt()).isZero();
        assertThat(run.get("finalTrainAccuracy").asDouble()).isGreaterThan(0.8);
        assertThat(run.get("baselineLoss").asDouble()).isBetween(0.0, 1.0);

        mvc.perform(get(location + "/charts/flatness.png")).andExpect(status().isOk())
                .andExpect(content().contentType(MediaType.IMAGE_PNG));
        byte[] exported = download(run.get("snapshot").get("url").asString() + "?format=safetensors");
        assertThat(dataSection(exported)).isEqualTo(dataSection(fixture("model.safetensors")));
    }

    @Test
    void importedModelsAreInterpolated() throws Exception {
        ModelInfo first = importModel(fixture("model.safetensors"), "first");
        ModelInfo second = importModel(toHalfPrecision(fixture("model.safetensors")), "second");
        String settings = """
                {"dataset": {"trainSize": 200}, "flatness": {"epsilons": [0.1], "directions": 1,
                 "interpolation": {"points": 5, "model": %d},
                 "hessian": {"topK": 1, "maxIterations": 3, "traceSamples": 0, "densityVectors": 0}}}""";

        JsonNode interpolated = measureModel(first, settings.formatted(second.id()));
        JsonNode alone = measureModel(second, "{\"dataset\": {\"trainSize\": 200}}");

        JsonNode group = interpolated.get("groups").get(0);
        JsonNode pair = group.get("interpolations").get(0);
        double firstLoss = group.get("runs").get(0).get("baselineLoss").asDouble();
        double secondLoss = alone.get("groups").get(0).get("runs").get(0).get("baselineLoss").asDouble();
        assertThat(pair.get("runA").asInt()).isZero();
        assertThat(pair.get("runB").isNull()).isTrue();
        assertThat(pair.get("modelB").asLong()).isEqualTo(second.id());
        assertThat(pair.get("result").get("lossA").asDouble()).isCloseTo(firstLoss, within(1e-5 * firstLoss));
        assertThat(pair.get("result").get("lossB").asDouble()).isCloseTo(secondLoss, within(1e-5 * secondLoss));
        assertThat(group.get("runs").get(0).get("measures").get(0).get("hessian").get("topEigenvalues")).hasSize(1);
        mvc.perform(post("/api/models/" + first.id() + "/flatness").contentType(MediaType.APPLICATION_JSON)
                        .content("{\"flatness\": {\"interpolation\": {\"model\": 987654}}}"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[0].field").value("flatness.interpolation.model"))
                .andExpect(jsonPath("$.errors[0].message", org.hamcrest.Matchers.containsString("987654 not found")));
        mvc.perform(post("/api/models/" + first.id() + "/flatness").contentType(MediaType.APPLICATION_JSON)
                        .content("{\"flatness\": {\"interpolation\": {}}}"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[0].field").value("flatness.interpolation.model"));
    }

    private JsonNode measureModel(ModelInfo model, String settings) throws Exception {
        String location = mvc.perform(post("/api/models/" + model.id() + "/flatness").contentType(MediaType.APPLICATION_JSON)
                        .content(settings))
                .andExpect(status().isAccepted())
                .andReturn().getResponse().getHeader("Location");
        await().atMost(Duration.ofMinutes(2)).until(() -> {
            String body = mvc.perform(get(location)).andReturn().getResponse().getContentAsString();
            return json.readTree(body).get("status").asString().equals("SUCCEEDED");
        });
        return json.readTree(mvc.perform(get(location + "/results")).andExpect(status().isOk())
                .andReturn().getResponse().getContentAsString());
    }

    @Test
    void modelSpecMustMatchModel() throws Exception {
        ModelInfo model = importModel(fixture("model.safetensors"), null);

        mvc.perform(post("/api/experiments").contentType(MediaType.APPLICATION_JSON)
                        .content("{\"model\": " + model.id() + ", \"runsPerGroup\": 2}"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[*].field", org.hamcrest.Matchers.hasItems("groups", "runsPerGroup")));
    }

    private ModelInfo importModel(byte[] content, String name) throws Exception {
        var request = multipart("/api/models").file(new MockMultipartFile("file", "model.safetensors", null, content));
        if (name != null) {
            request.param("name", name);
        }
        MvcResult result = mvc.perform(request).andExpect(status().isCreated()).andReturn();
        ModelInfo model = json.readValue(result.getResponse().getContentAsString(), ModelInfo.class);
        assertThat(result.getResponse().getHeader("Location")).isEqualTo("/api/models/" + model.id());
        return model;
    }

    private byte[] download(String url) throws Exception {
        return mvc.perform(get(url)).andExpect(status().isOk()).andReturn().getResponse().getContentAsByteArray();
    }

    private static byte[] fixture(String name) throws Exception {
        return new ClassPathResource(FIXTURE + name).getContentAsByteArray();
    }

    private static byte[] dataSection(byte[] file) {
        long headerLength = ByteBuffer.wrap(file, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        return Arrays.copyOfRange(file, 8 + (int) headerLength, file.length);
    }

    private float[][] readDirections(byte[] file, JsonNode names) throws Exception {
        long headerLength = ByteBuffer.wrap(file, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        JsonNode header = json.readTree(Arrays.copyOfRange(file, 8, 8 + (int) headerLength));
        float[][] directions = new float[names.size()][];
        for (int k = 0; k < names.size(); k++) {
            JsonNode offsets = header.get(names.get(k).asString()).get("data_offsets");
            ByteBuffer data = ByteBuffer.wrap(file, 8 + (int) headerLength + offsets.get(0).asInt(),
                    offsets.get(1).asInt() - offsets.get(0).asInt()).order(ByteOrder.LITTLE_ENDIAN);
            directions[k] = new float[data.remaining() / 4];
            data.asFloatBuffer().get(directions[k]);
        }
        return directions;
    }

    /** Rewrites an F32 safetensors MLP as F16, rounding each value to nearest half. */
    private byte[] toHalfPrecision(byte[] file) throws Exception {
        long headerLength = ByteBuffer.wrap(file, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        JsonNode header = json.readTree(Arrays.copyOfRange(file, 8, 8 + (int) headerLength));
        ByteBuffer floats = ByteBuffer.wrap(dataSection(file)).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer halves = ByteBuffer.allocate(floats.remaining() / 2).order(ByteOrder.LITTLE_ENDIAN);
        while (floats.hasRemaining()) {
            halves.putShort(floatToHalf(floats.getFloat()));
        }
        StringBuilder text = new StringBuilder("{");
        for (var field : header.properties()) {
            if (field.getKey().equals("__metadata__")) {
                continue;
            }
            JsonNode offsets = field.getValue().get("data_offsets");
            text.append(text.length() > 1 ? "," : "").append('"').append(field.getKey()).append("\":{\"dtype\":\"F16\",\"shape\":")
                    .append(field.getValue().get("shape")).append(",\"data_offsets\":[").append(offsets.get(0).asLong() / 2)
                    .append(',').append(offsets.get(1).asLong() / 2).append("]}");
        }
        return SafetensorsTestFiles.file(text.append('}').toString(), halves.array());
    }

    /** Rounds a float to the nearest IEEE binary16 for values in the normal half range or zero. */
    private static short floatToHalf(float value) {
        int bits = Float.floatToIntBits(value);
        int sign = (bits >>> 16) & 0x8000;
        float magnitude = Math.abs(value);
        if (magnitude < 0x1p-14f) {
            return (short) (sign | Math.round(magnitude / 0x1p-24f));
        }
        int exponent = Math.getExponent(magnitude);
        int mantissa = Math.round((magnitude / (float) Math.pow(2, exponent) - 1) * 1024);
        if (mantissa == 1024) {
            mantissa = 0;
            exponent++;
        }
        return (short) (sign | ((exponent + 15) << 10) | mantissa);
    }
}
