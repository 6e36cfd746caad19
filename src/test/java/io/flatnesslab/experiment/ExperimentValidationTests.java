package io.flatnesslab.experiment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasItem;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import java.util.List;

import io.flatnesslab.training.NetworkFactory;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.http.MediaType;
import org.springframework.test.web.servlet.MockMvc;

/** Every kind of invalid spec gets a 400 problem that names the field, and nothing is stored. */
@SpringBootTest(properties = {
        "spring.datasource.url=jdbc:h2:mem:validation;DB_CLOSE_DELAY=-1",
        "flatnesslab.datasets.directory=target/no-extra-datasets"})
@AutoConfigureMockMvc
class ExperimentValidationTests {

    @Autowired
    MockMvc mvc;

    @Autowired
    ExperimentService experiments;

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            {"dataset":{"name":"cifar-10"}}                                         | dataset.name                | unknown dataset 'cifar-10'
            {"dataset":{"name":""}}                                                 | dataset.name                | must not be blank
            {"dataset":{"trainSize":20000}}                                         | dataset.trainSize           | must be at most 10000
            {"dataset":{"trainSize":0}}                                             | dataset.trainSize           | at least 1
            {"training":{"learningRate":0}}                                         | training.learningRate       | positive finite
            {"training":{"learningRate":-0.1}}                                      | training.learningRate       | positive finite
            {"training":{"learningRate":1e999}}                                     | training.learningRate       | positive finite
            {"training":{"batchSize":0}}                                            | training.batchSize          | at least 1
            {"training":{"maxEpochs":0}}                                            | training.maxEpochs          | at least 1
            {"flatness":{"epsilons":[0.01,-1]}}                                     | flatness.epsilons[1]        | positive finite
            {"flatness":{"epsilons":[0]}}                                           | flatness.epsilons[0]        | positive finite
            {"flatness":{"epsilons":[1e400]}}                                       | flatness.epsilons[0]        | positive finite
            {"flatness":{"epsilons":[]}}                                            | flatness.epsilons           | at least one
            {"flatness":{"directions":0}}                                           | flatness.directions         | at least 1
            {"runsPerGroup":0}                                                      | runsPerGroup                | at least 1
            {"groups":[]}                                                           | groups                      | at least one group
            {"groups":[{"key":"a","hiddenLayers":[8]},{"key":"a","hiddenLayers":[4]}]} | groups[1].key            | duplicate group key 'a'
            {"groups":[{"key":"","hiddenLayers":[8]}]}                              | groups[0].key               | 1 to 64 letters
            {"groups":[{"hiddenLayers":[8]}]}                                       | groups[0].key               | is required
            {"groups":[{"key":"a b","hiddenLayers":[8]}]}                           | groups[0].key               | 1 to 64 letters
            {"groups":[{"key":"a","hiddenLayers":[]}]}                              | groups[0].hiddenLayers      | at least one hidden layer
            {"groups":[{"key":"a"}]}                                                | groups[0].hiddenLayers      | at least one hidden layer
            {"groups":[{"key":"a","hiddenLayers":[8,0]}]}                           | groups[0].hiddenLayers[1]   | at least 1
            {"groups":[{"key":"a","hiddenLayers":[8],"labels":"SHUFFLED"}]}         | groups[0].labels            | NATURAL, RANDOM
            {"runsPerGroup":"three"}                                                | runsPerGroup                | expected an integer
            {"sede":1}                                                              | sede                        | unknown field 'sede'
            {"training":{"momentum":0.9}}                                           | training.momentum           | unknown field 'momentum'
            {"runsPerGroup":2.5}                                                    | runsPerGroup                | expected an integer
            {"runsPerGroup":1,"runsPerGroup":2}                                     | body                        | Duplicate Object property "runsPerGroup"
            null                                                                    | body                        | e.g. {} for the classic experiment
            """)
    void invalidSpecIsRejected(String body, String field, String message) throws Exception {
        long storedBefore = experiments.list(null, 0, 1).totalElements();

        mvc.perform(post("/api/experiments").contentType(MediaType.APPLICATION_JSON).content(body))
                .andExpect(status().isBadRequest())
                .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
                .andExpect(jsonPath("$.status").value(400))
                .andExpect(jsonPath("$.errors[*].field", hasItem(field)))
                .andExpect(jsonPath("$.detail", containsString(message)));

        assertThat(experiments.list(null, 0, 1).totalElements()).isEqualTo(storedBefore);
    }

    @Test
    void modelAboveParameterBudgetIsRejectedWithCount() throws Exception {
        long parameters = NetworkFactory.parameterCount(784, List.of(100_000, 1000), 10);

        mvc.perform(post("/api/experiments").contentType(MediaType.APPLICATION_JSON)
                        .content("{\"groups\":[{\"key\":\"huge\",\"hiddenLayers\":[100000,1000]}]}"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[0].field").value("groups[0].hiddenLayers"))
                .andExpect(jsonPath("$.errors[0].message", containsString(String.format("%,d parameters", parameters))))
                .andExpect(jsonPath("$.errors[0].message", containsString("flatnesslab.experiments.max-parameters")));
    }

    @Test
    void severalViolationsAreAllListed() throws Exception {
        mvc.perform(post("/api/experiments").contentType(MediaType.APPLICATION_JSON)
                        .content("{\"runsPerGroup\":0,\"flatness\":{\"directions\":0}}"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors.length()").value(2))
                .andExpect(jsonPath("$.errors[*].field", hasItem("runsPerGroup")))
                .andExpect(jsonPath("$.errors[*].field", hasItem("flatness.directions")));
    }

    @Test
    void malformedJsonIsRejected() throws Exception {
        mvc.perform(post("/api/experiments").contentType(MediaType.APPLICATION_JSON).content("{\"seed\": "))
                .andExpect(status().isBadRequest())
                .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
                .andExpect(jsonPath("$.title").value("Invalid request"))
                .andExpect(jsonPath("$.errors[0].message", containsString("malformed JSON at line 1")));
    }

    @Test
    void missingBodyIsRejectedNotClassic() throws Exception {
        long storedBefore = experiments.list(null, 0, 1).totalElements();

        mvc.perform(post("/api/experiments").contentType(MediaType.APPLICATION_JSON))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[0].field").value("body"))
                .andExpect(jsonPath("$.errors[0].message", containsString("{}")));

        assertThat(experiments.list(null, 0, 1).totalElements()).isEqualTo(storedBefore);
    }

    @Test
    void wrongContentTypeNamesJson() throws Exception {
        mvc.perform(post("/api/experiments").contentType(MediaType.TEXT_PLAIN).content("{}"))
                .andExpect(status().isUnsupportedMediaType())
                .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
                .andExpect(jsonPath("$.detail", containsString("send Content-Type: application/json")));
    }

    @Test
    void longDatasetNameIsNotEchoed() throws Exception {
        String name = "x".repeat(100_000);

        String body = mvc.perform(post("/api/experiments").contentType(MediaType.APPLICATION_JSON)
                        .content("{\"dataset\":{\"name\":\"" + name + "\"}}"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[0].field").value("dataset.name"))
                .andReturn().getResponse().getContentAsString();

        assertThat(body.length()).isLessThan(2000);
    }

    @Test
    void unknownExperimentIsNotFound() throws Exception {
        mvc.perform(get("/api/experiments/987654"))
                .andExpect(status().isNotFound())
                .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
                .andExpect(jsonPath("$.detail", containsString("experiment 987654 not found")));
        mvc.perform(get("/api/experiments/987654/results")).andExpect(status().isNotFound());
        mvc.perform(get("/api/experiments/987654/charts/flatness.png")).andExpect(status().isNotFound());
        mvc.perform(get("/api/experiments/987654/runs/1/snapshot")).andExpect(status().isNotFound());
        mvc.perform(post("/api/experiments/987654/cancel")).andExpect(status().isNotFound());
    }

    @Test
    void nonNumericIdIsBadRequest() throws Exception {
        mvc.perform(get("/api/experiments/abc"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[0].field").value("id"));
    }

    @Test
    void invalidListParametersAreRejected() throws Exception {
        mvc.perform(get("/api/experiments").param("status", "DONE"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[0].field").value("status"))
                .andExpect(jsonPath("$.errors[0].message", containsString("SUCCEEDED")));
        mvc.perform(get("/api/experiments").param("size", "1000"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[0].field").value("size"));
    }

    @Test
    void datasetsAreListed() throws Exception {
        mvc.perform(get("/api/datasets"))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$[0].name").value("mnist-10k"))
                .andExpect(jsonPath("$[0].size").value(10_000))
                .andExpect(jsonPath("$[0].rows").value(28));
    }

    @Test
    void memoryGaugesAreExposed() throws Exception {
        mvc.perform(get("/actuator/metrics/flatnesslab.process.resident"))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.baseUnit").value("bytes"))
                .andExpect(jsonPath("$.measurements[0].value", org.hamcrest.Matchers.greaterThan(0.0)));
        mvc.perform(get("/actuator/metrics/flatnesslab.memory.outside.jvm.pools"))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.baseUnit").value("bytes"))
                .andExpect(jsonPath("$.measurements[0].value", org.hamcrest.Matchers.greaterThanOrEqualTo(0.0)));
        mvc.perform(get("/actuator/health"))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.status").value("UP"));
    }

    @Test
    void openApiAndSwaggerUiAreServed() throws Exception {
        mvc.perform(get("/v3/api-docs"))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.paths['/api/experiments']").exists())
                .andExpect(jsonPath("$.paths['/api/experiments/{id}/charts/flatness.png']").exists())
                .andExpect(jsonPath("$.paths['/api/experiments/{id}/runs/{runId}/snapshot']").exists())
                .andExpect(jsonPath("$.paths['/api/experiments/{id}/results'].get.responses['200']").exists())
                .andExpect(jsonPath("$.paths['/api/experiments/{id}/results'].get.responses['404']").exists())
                .andExpect(jsonPath("$.paths['/api/models'].post").exists())
                .andExpect(jsonPath("$.paths['/api/models/{id}/flatness'].post").exists())
                .andExpect(jsonPath("$.paths['/api/experiments/{id}/charts/slice.png'].get").exists())
                .andExpect(jsonPath("$.paths['/api/experiments/{id}/charts/surface.png'].get").exists())
                .andExpect(jsonPath("$.paths['/api/experiments/{id}/charts/surface.csv'].get").exists())
                .andExpect(jsonPath("$.paths['/api/experiments/{id}/charts/interpolation.png'].get").exists())
                .andExpect(jsonPath("$.paths['/api/experiments/{id}/charts/hessian-density.png'].get").exists())
                .andExpect(jsonPath("$.components.schemas.FlatnessSpec.properties.hessian").exists())
                .andExpect(jsonPath("$.components.schemas.FlatnessSpec.properties.normalization.enum").isArray())
                .andExpect(jsonPath("$.components.schemas.HessianSpec.properties.lanczosSteps").exists())
                .andExpect(jsonPath("$.components.schemas.RunMeasures.properties.surface").exists())
                .andExpect(jsonPath("$.components.schemas.Invariance.properties.invariant").exists());
        mvc.perform(get("/swagger-ui.html")).andExpect(status().is3xxRedirection());
    }
}
