package io.flatnesslab.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.multipart;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.core.io.ClassPathResource;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.mock.web.MockMultipartFile;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.request.AbstractMockHttpServletRequestBuilder;
import org.springframework.test.web.servlet.request.MockMvcRequestBuilders;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Sends every case of the bad-input corpus ({@code src/test/resources/bad-input}, see its
 * README) to the running service and checks that each gets the expected 4xx problem, that no
 * internals leak into the body, and that the stored experiment, model and snapshots stay as
 * they were.
 */
// File-mode H2 as in production: its BLOB streams behave differently from in-memory ones.
@SpringBootTest(properties = "flatnesslab.data-directory=./target/test-data/${random.uuid}")
@AutoConfigureMockMvc
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BadInputCorpusTests {

    private static final String CORPUS = "bad-input/";

    private static final List<String> TABLES = List.of("experiment", "training_run", "flatness_result",
            "parameter_snapshot", "imported_model");

    /** Fragments of stack traces, Java package names, Jackson settings (in backticks) and SQL. */
    private static final List<String> INTERNALS = List.of("Exception", "java.", "javax.", "jakarta.",
            "org.springframework", "org.hibernate", "org.h2", "tools.jackson", "com.fasterxml", "io.flatnesslab",
            "\tat ", ".java:", "`", "SELECT ", "INSERT INTO", "UPDATE ", "DELETE FROM", "SQLState", "JDBC");

    /**
     * A Java class name such as ExperimentSpec or ArrayList: two or more capitalized words run
     * together. The check skips words the request itself contains, such as a misspelled field.
     */
    private static final Pattern CLASS_NAME = Pattern.compile("\\b[A-Z][a-z0-9]+(?:[A-Z][a-z0-9]+)+\\b");

    /** Maximum length of a problem body; a longer one repeats the input back. */
    private static final int MAX_BODY_CHARS = 2000;

    private static final String SETUP_SPEC = """
            {"seed": 1, "dataset": {"trainSize": 100}, "training": {"maxEpochs": 1, "batchSize": 50},
             "groups": [{"key": "small", "hiddenLayers": [8]}], "runsPerGroup": 1,
             "flatness": {"epsilons": [0.1], "directions": 1}}""";

    // Static because the datasets folder must exist before the application context starts.
    private static final Path DATASETS = copyDatasets();

    @Autowired
    MockMvc mvc;

    @Autowired
    JsonMapper json;

    @Autowired
    JdbcTemplate jdbc;

    private final Map<String, String> placeholders = new LinkedHashMap<>();

    private long experimentId;

    private long modelId;

    private StoredState before;

    @DynamicPropertySource
    static void datasetsDirectory(DynamicPropertyRegistry registry) {
        registry.add("flatnesslab.datasets.directory", DATASETS::toString);
    }

    @BeforeAll
    void storeOneExperimentAndOneModel() throws Exception {
        MockHttpServletResponse submitted = mvc.perform(post("/api/experiments").contentType(MediaType.APPLICATION_JSON)
                .content(SETUP_SPEC)).andReturn().getResponse();
        assertThat(submitted.getStatus()).as("submission of the setup experiment: %s", submitted.getContentAsString())
                .isEqualTo(202);
        String location = submitted.getHeader("Location");
        experimentId = Long.parseLong(location.substring(location.lastIndexOf('/') + 1));
        await().atMost(Duration.ofMinutes(2)).until(() -> readJson(location).get("status").asString().equals("SUCCEEDED"));
        long runId = readJson(location + "/results").get("groups").get(0).get("runs").get(0).get("runId").asLong();

        byte[] model = new ClassPathResource("fixtures/pytorch-mlp/model.safetensors").getContentAsByteArray();
        MockHttpServletResponse imported = mvc.perform(multipart("/api/models")
                .file(new MockMultipartFile("file", "model.safetensors", null, model))).andReturn().getResponse();
        assertThat(imported.getStatus()).as("import of the fixture model: %s", imported.getContentAsString()).isEqualTo(201);
        modelId = json.readTree(imported.getContentAsString()).get("id").asLong();

        JsonNode tiny = dataset("tiny");
        assertThat(tiny.get("status").asString()).as("the valid extra dataset 'tiny'").isEqualTo("AVAILABLE");

        placeholders.put("${experiment}", String.valueOf(experimentId));
        placeholders.put("${run}", String.valueOf(runId));
        placeholders.put("${model}", String.valueOf(modelId));
        before = storedState();
        assertThat(before.rowCounts().get("experiment")).isEqualTo(1);
        assertThat(before.rowCounts().get("parameter_snapshot")).isEqualTo(2);
    }

    Stream<Arguments> cases() {
        return loadCases().stream().map(badInput -> Arguments.argumentSet(badInput.name(), badInput));
    }

    @ParameterizedTest
    @MethodSource("cases")
    void badInputGetsProblemAndChangesNothing(BadInputCase badInput) throws Exception {
        String sent = substitute(badInput.path()) + (badInput.file() == null ? ""
                : new String(body(badInput), StandardCharsets.UTF_8));
        MockHttpServletResponse response = mvc.perform(request(badInput)).andReturn().getResponse();
        String body = response.getContentAsString(StandardCharsets.UTF_8);
        // Every message names the case, because Maven's console shows only the case's index.
        String context = badInput.name() + ", body " + (body.length() > 500 ? body.substring(0, 500) + "..." : body);

        assertThat(response.getStatus()).as("status of %s", context).isEqualTo(badInput.status());
        assertThat(response.getContentType()).as("Content-Type of %s", context).isNotNull();
        assertThat(MediaType.parseMediaType(response.getContentType()).isCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
                .as("Content-Type %s is application/problem+json in %s", response.getContentType(), context).isTrue();

        JsonNode problem = json.readTree(body);
        assertThat(problem.path("title").asString("")).as("title of %s", context).isNotBlank();
        assertThat(problem.path("status").asInt()).as("status field of %s", context).isEqualTo(badInput.status());
        assertThat(problem.path("detail").asString("")).as("detail of %s", context).contains(badInput.detail());
        if (badInput.field() != null) {
            assertThat(problem.path("errors").findValuesAsString("field")).as("error fields of %s", context)
                    .contains(badInput.field());
        }

        for (String internal : INTERNALS) {
            assertThat(body).as("'%s' leaks into %s", internal, context).doesNotContain(internal);
        }
        assertThat(CLASS_NAME.matcher(body).results().map(match -> match.group()).filter(name -> !sent.contains(name)).toList())
                .as("Java class names in %s", context).isEmpty();
        assertThat(body.length()).as("length of %s", context).isLessThan(MAX_BODY_CHARS);

        if (badInput.dataset() != null) {
            JsonNode listed = dataset(badInput.dataset());
            assertThat(listed.get("status").asString()).as("listing for %s: %s", badInput.name(), listed).isEqualTo("INVALID");
            assertThat(listed.get("error").asString()).as("listing for %s: %s", badInput.name(), listed)
                    .contains(badInput.listed());
        }

        assertThat(storedState()).as("stored data after %s", badInput.name()).isEqualTo(before);
    }

    @Test
    void corpusHasHundredUniqueCases() {
        List<BadInputCase> cases = loadCases();
        Set<String> names = new HashSet<>();

        assertThat(cases).hasSizeGreaterThanOrEqualTo(100);
        for (BadInputCase badInput : cases) {
            assertThat(names.add(badInput.name())).as("case name %s is unique", badInput.name()).isTrue();
            assertThat(badInput.status()).as("status of %s", badInput.name()).isBetween(400, 499);
            assertThat(badInput.detail()).as("detail of %s", badInput.name()).isNotBlank();
            if (badInput.dataset() != null) {
                assertThat(badInput.listed()).as("listed reason of %s", badInput.name()).isNotBlank();
            }
        }
    }

    @Test
    void everyCorpusFileBelongsToCase() throws IOException {
        List<BadInputCase> cases = loadCases();
        Set<String> files = new HashSet<>();
        Set<String> datasets = new HashSet<>();
        cases.forEach(badInput -> files.add(badInput.file()));
        cases.forEach(badInput -> datasets.add(badInput.dataset()));
        Path root = new ClassPathResource(CORPUS).getFile().toPath();

        for (String folder : List.of("experiments", "model-flatness", "models")) {
            try (Stream<Path> stored = Files.list(root.resolve(folder))) {
                for (Path file : stored.toList()) {
                    String relative = folder + "/" + file.getFileName();
                    assertThat(files).as("a case sends %s", relative).contains(relative);
                }
            }
        }
        try (Stream<Path> folders = Files.list(root.resolve("datasets"))) {
            for (Path folder : folders.toList()) {
                String name = folder.getFileName().toString();
                if (!name.equals("tiny")) {
                    assertThat(datasets).as("a case names dataset %s", name).contains(name);
                }
            }
        }
    }

    private AbstractMockHttpServletRequestBuilder<?> request(BadInputCase badInput) {
        URI uri = URI.create(substitute(badInput.path()));
        HttpMethod method = HttpMethod.valueOf(badInput.method());
        byte[] body = badInput.file() == null ? null : body(badInput);

        AbstractMockHttpServletRequestBuilder<?> request;
        if (badInput.part() != null) {
            String fileName = badInput.file().substring(badInput.file().lastIndexOf('/') + 1);
            request = multipart(method, uri).file(new MockMultipartFile(badInput.part(), fileName, null, body));
        } else {
            request = MockMvcRequestBuilders.request(method, uri);
            if (badInput.contentType() != null) {
                request.contentType(badInput.contentType());
            }
            if (body != null) {
                request.content(body);
            }
        }
        if (badInput.accept() != null) {
            request.accept(badInput.accept());
        }
        return request;
    }

    /** Returns the file's bytes; a {@code .json} file must be UTF-8 and gets its placeholders filled in. */
    private byte[] body(BadInputCase badInput) {
        byte[] content = read(badInput.file());
        if (!badInput.file().endsWith(".json")) {
            return content;
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(content)).toString();
        } catch (CharacterCodingException e) {
            throw new IllegalStateException(badInput.file() + " is not valid UTF-8; give a body that is not UTF-8 the extension .bin", e);
        }
        if (badInput.dataset() != null) {
            text = text.replace("${dataset}", badInput.dataset());
        }
        return substitute(text).getBytes(StandardCharsets.UTF_8);
    }

    private String substitute(String text) {
        String result = text;
        for (Map.Entry<String, String> placeholder : placeholders.entrySet()) {
            result = result.replace(placeholder.getKey(), placeholder.getValue());
        }
        return result;
    }

    private StoredState storedState() throws Exception {
        Map<String, Long> counts = new LinkedHashMap<>();
        for (String table : TABLES) {
            counts.put(table, jdbc.queryForObject("select count(*) from " + table, Long.class));
        }
        return new StoredState(counts, readText("/api/experiments/" + experimentId),
                readText("/api/experiments/" + experimentId + "/results"), readText("/api/models/" + modelId));
    }

    private JsonNode dataset(String name) throws Exception {
        for (JsonNode listed : readJson("/api/datasets")) {
            if (listed.get("name").asString().equals(name)) {
                return listed;
            }
        }
        throw new AssertionError("GET /api/datasets does not list " + name);
    }

    private JsonNode readJson(String path) throws Exception {
        return json.readTree(readText(path));
    }

    private String readText(String path) throws Exception {
        MockHttpServletResponse response = mvc.perform(get(path)).andReturn().getResponse();
        assertThat(response.getStatus()).as("GET %s: %s", path, response.getContentAsString()).isEqualTo(200);
        return response.getContentAsString(StandardCharsets.UTF_8);
    }

    private List<BadInputCase> loadCases() {
        return json.readValue(read("cases.json"), new TypeReference<List<BadInputCase>>() {
        });
    }

    private static byte[] read(String relative) {
        try {
            return new ClassPathResource(CORPUS + relative).getContentAsByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read corpus file " + relative, e);
        }
    }

    /** Copies the corpus datasets into a fresh folder, so the service reads them as it reads any datasets folder. */
    private static Path copyDatasets() {
        try {
            Path source = new ClassPathResource(CORPUS + "datasets").getFile().toPath();
            Path target = Path.of("target", "test-data", "bad-input-datasets-" + UUID.randomUUID());
            List<Path> files;
            try (Stream<Path> walk = Files.walk(source)) {
                files = new ArrayList<>(walk.filter(Files::isRegularFile).toList());
            }
            for (Path file : files) {
                Path copy = target.resolve(source.relativize(file).toString());
                Files.createDirectories(copy.getParent());
                Files.copy(file, copy);
            }
            return target.toAbsolutePath();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy the corpus datasets", e);
        }
    }

    /**
     * One row of {@code cases.json}.
     *
     * @param path request path with query; {@code ${experiment}}, {@code ${run}} and {@code ${model}}
     *     stand for the stored experiment, its run and the imported model
     * @param contentType Content-Type of a raw body; absent sends none
     * @param part name of the multipart part that carries {@code file}; absent sends the file as the raw body
     * @param file corpus file to send, relative to the corpus folder
     * @param dataset corpus dataset folder the case is about; {@code ${dataset}} in the body stands for it
     * @param field expected entry of the problem's {@code errors[].field}; absent for problems without errors
     * @param detail expected substring of the problem's {@code detail}
     * @param listed expected substring of the dataset's {@code error} in {@code GET /api/datasets}
     */
    record BadInputCase(String name, String method, String path, String contentType, String accept, String part,
            String file, String dataset, int status, String field, String detail, String listed) {

        @Override
        public String toString() {
            return name;
        }
    }

    /** Row counts of every table and the JSON of the stored experiment, its results and the model. */
    record StoredState(Map<String, Long> rowCounts, String experiment, String results, String model) {
    }
}
