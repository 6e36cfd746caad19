package io.flatnesslab.experiment;

import java.io.IOException;
import java.net.URI;
import java.util.List;

import io.flatnesslab.snapshot.SnapshotDownloads;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.ExampleObject;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/experiments")
@Tag(name = "Experiments")
class ExperimentController {

    private static final String CLASSIC_EXAMPLE = "{}";

    private static final String SMALL_EXAMPLE = """
            {
              "seed": 7,
              "dataset": {"name": "mnist-10k", "trainSize": 200},
              "training": {"learningRate": 0.1, "batchSize": 32, "maxEpochs": 5},
              "groups": [
                {"key": "wide", "hiddenLayers": [64, 64], "labels": "NATURAL"},
                {"key": "narrow", "hiddenLayers": [8, 8], "labels": "NATURAL"}
              ],
              "runsPerGroup": 2,
              "flatness": {"epsilons": [0.01, 0.1], "directions": 2}
            }""";

    private final ExperimentService experiments;

    private final SnapshotDownloads downloads;

    ExperimentController(ExperimentService experiments, SnapshotDownloads downloads) {
        this.experiments = experiments;
        this.downloads = downloads;
    }

    @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "Queue an experiment",
            description = "Every field is optional; {} runs the classic experiment (about 20 minutes on 2 cores). "
                    + "Returns 202 with the Location of the experiment to poll.",
            requestBody = @io.swagger.v3.oas.annotations.parameters.RequestBody(content = @Content(examples = {
                    @ExampleObject(name = "classic", summary = "The classic experiment", value = CLASSIC_EXAMPLE),
                    @ExampleObject(name = "small", summary = "A small experiment that runs in seconds",
                            value = SMALL_EXAMPLE)})))
    @ApiResponse(responseCode = "202", description = "Queued")
    @ApiResponse(responseCode = "400", description = "Invalid spec; the errors list names each field",
            content = @Content(mediaType = "application/problem+json"))
    ResponseEntity<ExperimentView> submit(@RequestBody @Valid ExperimentSpec spec) {
        if (spec == null) {
            throw new InvalidRequestException("Invalid request", List.of(new FieldViolation("body",
                    "is missing or not JSON; send a JSON object, e.g. {} for the classic experiment")));
        }
        ExperimentView created = experiments.submit(spec);
        return ResponseEntity.accepted()
                .location(URI.create("/api/experiments/" + created.id()))
                .body(created);
    }

    @GetMapping
    @Operation(summary = "List experiments, newest first")
    ExperimentPage list(
            @Parameter(description = "Only experiments with this status") @RequestParam(required = false) ExperimentStatus status,
            @Parameter(description = "0-based page number") @RequestParam(defaultValue = "0") @Min(0) int page,
            @Parameter(description = "Page size, 1 to 100") @RequestParam(defaultValue = "20") @Min(1) @Max(100) int size) {
        return experiments.list(status, page, size);
    }

    @GetMapping("/{id}")
    @Operation(summary = "Status, progress, timestamps and resolved spec of an experiment")
    @ApiResponse(responseCode = "200", description = "The experiment")
    @ApiResponse(responseCode = "404", description = "No such experiment", content = @Content(mediaType = "application/problem+json"))
    ExperimentView get(@PathVariable long id) {
        return experiments.get(id);
    }

    @GetMapping("/{id}/results")
    @Operation(summary = "Results per group and run",
            description = "409 while the experiment is QUEUED or RUNNING. FAILED and CANCELLED experiments return "
                    + "the runs finished before they stopped, with complete = false.")
    @ApiResponse(responseCode = "200", description = "Results of a finished experiment")
    @ApiResponse(responseCode = "404", description = "No such experiment", content = @Content(mediaType = "application/problem+json"))
    @ApiResponse(responseCode = "409", description = "Not finished yet", content = @Content(mediaType = "application/problem+json"))
    ExperimentResults results(@PathVariable long id) {
        return experiments.results(id);
    }

    @PostMapping("/{id}/cancel")
    @Operation(summary = "Cancel a QUEUED or RUNNING experiment",
            description = "A QUEUED experiment is CANCELLED at once. A RUNNING one stops at its next training step or "
                    + "loss evaluation; poll its status. Runs finished before keep their results.")
    @ApiResponse(responseCode = "202", description = "Cancelled, or cancellation requested")
    @ApiResponse(responseCode = "404", description = "No such experiment", content = @Content(mediaType = "application/problem+json"))
    @ApiResponse(responseCode = "409", description = "Already finished", content = @Content(mediaType = "application/problem+json"))
    ResponseEntity<ExperimentView> cancel(@PathVariable long id) {
        return ResponseEntity.accepted().body(experiments.cancel(id));
    }

    @DeleteMapping("/{id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    @Operation(summary = "Delete a finished experiment with its results and snapshots")
    @ApiResponse(responseCode = "204", description = "Deleted")
    @ApiResponse(responseCode = "404", description = "No such experiment", content = @Content(mediaType = "application/problem+json"))
    @ApiResponse(responseCode = "409", description = "QUEUED or RUNNING", content = @Content(mediaType = "application/problem+json"))
    void delete(@PathVariable long id) {
        experiments.delete(id);
    }

    @GetMapping(value = "/{id}/runs/{runId}/snapshot", produces = MediaType.APPLICATION_OCTET_STREAM_VALUE)
    @Operation(summary = "Download a run's trained parameters",
            description = "format=dl4j (default): a DL4J model file (zip) that MultiLayerNetwork.load opens, with its "
                    + "SHA-256 in ETag and Repr-Digest. format=safetensors: PyTorch nn.Linear names and layout (fc1.weight "
                    + "[out, in], fc1.bias, ...), float32, for torch.nn.Module.load_state_dict.")
    @ApiResponse(responseCode = "200", description = "The model file", content = @Content(mediaType = "application/octet-stream"))
    @ApiResponse(responseCode = "404", description = "No such experiment or run", content = @Content(mediaType = "application/problem+json"))
    void snapshot(@PathVariable long id, @PathVariable long runId,
            @Parameter(description = "dl4j or safetensors") @RequestParam(defaultValue = "dl4j") String format,
            HttpServletRequest request, HttpServletResponse response) throws IOException {
        long snapshotId = experiments.snapshotOf(id, runId);
        downloads.send(snapshotId, format, "experiment-" + id + "-run-" + runId, request, response);
    }
}
