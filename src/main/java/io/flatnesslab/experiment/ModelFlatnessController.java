package io.flatnesslab.experiment;

import java.net.URI;
import java.util.List;

import io.flatnesslab.snapshot.ModelInfo;
import io.flatnesslab.snapshot.ModelService;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

@RestController
@Tag(name = "Models")
class ModelFlatnessController {

    private final ModelService models;

    private final ExperimentService experiments;

    ModelFlatnessController(ModelService models, ExperimentService experiments) {
        this.models = models;
        this.experiments = experiments;
    }

    @PostMapping(value = "/api/models/{id}/flatness", consumes = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "Measure an imported model's flatness",
            description = "Queues an experiment with one group and one run that measures the imported model instead of "
                    + "training one. Poll it, and fetch its results and charts, under the returned Location.")
    @ApiResponse(responseCode = "202", description = "Queued")
    @ApiResponse(responseCode = "400", description = "Invalid settings, or a dataset that does not fit the model",
            content = @Content(mediaType = "application/problem+json"))
    @ApiResponse(responseCode = "404", description = "No such model", content = @Content(mediaType = "application/problem+json"))
    ResponseEntity<ExperimentView> measure(@PathVariable long id,
            @RequestBody(required = false) @Valid ModelFlatnessRequest request) {
        ModelInfo model = models.get(id);
        ModelFlatnessRequest settings = request == null ? new ModelFlatnessRequest(null, null, null) : request;

        ExperimentSpec spec = new ExperimentSpec(settings.seed(), settings.dataset(), null,
                List.of(new GroupSpec("model-" + id, model.hiddenLayers(), LabelMode.NATURAL)), 1, settings.flatness(), id);
        ExperimentView created = experiments.submit(spec);
        return ResponseEntity.accepted().location(URI.create("/api/experiments/" + created.id())).body(created);
    }
}
