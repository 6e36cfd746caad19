package io.flatnesslab.experiment;

import java.io.IOException;
import java.net.URI;
import java.util.Collections;
import java.util.List;
import java.util.regex.Pattern;

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
import org.springframework.http.CacheControl;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;
import tools.jackson.databind.json.JsonMapper;

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

    private static final Pattern IDEMPOTENCY_KEY = Pattern.compile("[\\x21-\\x7E]{1,200}");

    private final ExperimentService experiments;

    private final SnapshotDownloads downloads;

    private final ExperimentEventStreams streams;

    private final JsonMapper json;

    ExperimentController(ExperimentService experiments, SnapshotDownloads downloads, ExperimentEventStreams streams,
            JsonMapper json) {
        this.experiments = experiments;
        this.downloads = downloads;
        this.streams = streams;
        this.json = json;
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
    @ApiResponse(responseCode = "200", description = "An earlier request with the same Idempotency-Key and spec "
            + "created this experiment; nothing new was queued")
    @ApiResponse(responseCode = "400", description = "Invalid spec; the errors list names each field",
            content = @Content(mediaType = "application/problem+json"))
    @ApiResponse(responseCode = "422", description = "The Idempotency-Key came with a different spec before",
            content = @Content(mediaType = "application/problem+json"))
    @ApiResponse(responseCode = "429", description = "The queue is full; retry after the Retry-After seconds",
            content = @Content(mediaType = "application/problem+json"))
    ResponseEntity<ExperimentView> submit(@RequestBody @Valid ExperimentSpec spec,
            @Parameter(description = "Any unique string of 1 to 200 visible ASCII characters, e.g. a UUID. A repeated "
                    + "request with the same key and spec returns the experiment the first one created")
            @RequestHeader(name = "Idempotency-Key", required = false) String idempotencyKey,
            HttpServletRequest request) {
        if (spec == null) {
            throw new InvalidRequestException("Invalid request", List.of(new FieldViolation("body",
                    "is missing or not JSON; send a JSON object, e.g. {} for the classic experiment")));
        }
        // Servlet containers join repeated headers with commas; two keys are one mistake, not one key.
        if (idempotencyKey != null && Collections.list(request.getHeaders("Idempotency-Key")).size() > 1) {
            throw new InvalidRequestException("Invalid request", List.of(new FieldViolation("Idempotency-Key",
                    "must be sent once; the request carried several Idempotency-Key headers")));
        }
        if (idempotencyKey != null && !IDEMPOTENCY_KEY.matcher(idempotencyKey).matches()) {
            throw new InvalidRequestException("Invalid request", List.of(new FieldViolation("Idempotency-Key",
                    "must be 1 to 200 visible ASCII characters without spaces, e.g. a UUID")));
        }

        ExperimentService.Submission submission = experiments.submit(spec, idempotencyKey);
        ExperimentView experiment = submission.experiment();
        ResponseEntity.BodyBuilder response = submission.replayed() ? ResponseEntity.ok() : ResponseEntity.accepted();
        return response.location(URI.create("/api/experiments/" + experiment.id()))
                .body(experiment);
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
    @Operation(summary = "Status, progress, timestamps and resolved spec of an experiment",
            description = "Carries an ETag; a request with If-None-Match of the current ETag gets 304 with no body.")
    @ApiResponse(responseCode = "200", description = "The experiment")
    @ApiResponse(responseCode = "304", description = "Unchanged since the ETag in If-None-Match")
    @ApiResponse(responseCode = "404", description = "No such experiment", content = @Content(mediaType = "application/problem+json"))
    ResponseEntity<ExperimentView> get(@PathVariable long id,
            @RequestHeader(name = HttpHeaders.IF_NONE_MATCH, required = false) String ifNoneMatch) {
        ExperimentView experiment = experiments.get(id);
        return conditional(experiment, ifNoneMatch);
    }

    @GetMapping(value = "/{id}/events", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    @Operation(summary = "Stream of progress events",
            description = "Server-sent events: a 'progress' event with the experiment's current view at once and after "
                    + "every change, then a 'finished' event with the final view, after which the stream ends. Changes "
                    + "that come faster than they can be sent are merged, so the latest view always arrives.")
    @ApiResponse(responseCode = "200", description = "The event stream", content = @Content(mediaType = "text/event-stream"))
    @ApiResponse(responseCode = "404", description = "No such experiment", content = @Content(mediaType = "application/problem+json"))
    SseEmitter events(@PathVariable long id) {
        return streams.subscribe(id);
    }

    @GetMapping("/{id}/results")
    @Operation(summary = "Results per group and run",
            description = "409 while the experiment is QUEUED or RUNNING. FAILED and CANCELLED experiments return "
                    + "the runs finished before they stopped, with complete = false.")
    @ApiResponse(responseCode = "200", description = "Results of a finished experiment")
    @ApiResponse(responseCode = "304", description = "Unchanged since the ETag in If-None-Match")
    @ApiResponse(responseCode = "404", description = "No such experiment", content = @Content(mediaType = "application/problem+json"))
    @ApiResponse(responseCode = "409", description = "Not finished yet", content = @Content(mediaType = "application/problem+json"))
    ResponseEntity<ExperimentResults> results(@PathVariable long id,
            @RequestHeader(name = HttpHeaders.IF_NONE_MATCH, required = false) String ifNoneMatch) {
        ExperimentResults results = experiments.results(id);
        return conditional(results, ifNoneMatch);
    }

    /**
     * Returns {@code body} with its ETag. Spring turns a matching If-None-Match into 304. The
     * wildcard, which RFC 9110 defines to match any current representation, is handled here.
     */
    private <T> ResponseEntity<T> conditional(T body, String ifNoneMatch) {
        String etag = etag(json.writeValueAsBytes(body));
        if (ifNoneMatch != null && ifNoneMatch.strip().equals("*")) {
            return ResponseEntity.status(HttpStatus.NOT_MODIFIED).eTag(etag).cacheControl(CacheControl.noCache()).build();
        }
        return ResponseEntity.ok()
                .eTag(etag)
                .cacheControl(CacheControl.noCache())
                .body(body);
    }

    /** Returns a strong ETag: the quoted hex SHA-256 of the representation. */
    private static String etag(byte[] representation) {
        return "\"" + ExperimentService.sha256Hex(representation) + "\"";
    }

    @PostMapping("/{id}/cancel")
    @Operation(summary = "Cancel a QUEUED or RUNNING experiment",
            description = "A QUEUED experiment is CANCELLED at once. A RUNNING one stops at its next training step or "
                    + "loss evaluation; poll its status. Runs finished before keep their results.")
    @ApiResponse(responseCode = "200", description = "Cancelled: the experiment was QUEUED")
    @ApiResponse(responseCode = "202", description = "Cancellation requested: the experiment is RUNNING and stops soon")
    @ApiResponse(responseCode = "404", description = "No such experiment", content = @Content(mediaType = "application/problem+json"))
    @ApiResponse(responseCode = "409", description = "Already finished", content = @Content(mediaType = "application/problem+json"))
    ResponseEntity<ExperimentView> cancel(@PathVariable long id) {
        ExperimentView experiment = experiments.cancel(id);
        return experiment.status().isFinal() ? ResponseEntity.ok(experiment) : ResponseEntity.accepted().body(experiment);
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
