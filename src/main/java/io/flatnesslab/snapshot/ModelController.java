package io.flatnesslab.snapshot;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.util.List;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RequestPart;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.multipart.MultipartFile;

@RestController
@RequestMapping("/api/models")
@Tag(name = "Models")
class ModelController {

    private final ModelService models;

    private final SnapshotDownloads downloads;

    ModelController(ModelService models, SnapshotDownloads downloads) {
        this.models = models;
        this.downloads = downloads;
    }

    @PostMapping(consumes = MediaType.MULTIPART_FORM_DATA_VALUE)
    @Operation(summary = "Import a PyTorch MLP from a safetensors file",
            description = "The file must contain nn.Linear layers named fc1, fc2, ... (fcN.weight [out, in], fcN.bias "
                    + "[out]) in F32 or F16, with an input size that an available dataset provides. ReLU is applied "
                    + "between the layers and softmax after the last one. Measure it with POST /api/models/{id}/flatness.")
    @ApiResponse(responseCode = "201", description = "Imported")
    @ApiResponse(responseCode = "400", description = "Malformed file or not such an MLP",
            content = @Content(mediaType = "application/problem+json"))
    ResponseEntity<ModelInfo> importModel(
            @Parameter(description = "The safetensors file") @RequestPart("file") MultipartFile file,
            @Parameter(description = "Display name; default the architecture") @RequestParam(required = false) String name)
            throws IOException {
        if (file.isEmpty()) {
            throw new InvalidParameterException("file", "is empty; upload a safetensors file, e.g. curl -F file=@model.safetensors");
        }
        if (name != null && name.length() > 200) {
            throw new InvalidParameterException("name", "must be at most 200 characters");
        }
        ModelInfo imported;
        try (InputStream content = file.getInputStream()) {
            imported = models.importSafetensors(content, name);
        }
        return ResponseEntity.created(URI.create("/api/models/" + imported.id())).body(imported);
    }

    @GetMapping
    @Operation(summary = "List imported models, newest first")
    List<ModelInfo> list() {
        return models.list();
    }

    @GetMapping("/{id}")
    @Operation(summary = "An imported model")
    ModelInfo get(@PathVariable long id) {
        return models.get(id);
    }

    @DeleteMapping("/{id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    @Operation(summary = "Delete an imported model and its stored parameters",
            description = "Experiments that measured the model keep their results and run snapshots.")
    @ApiResponse(responseCode = "204", description = "Deleted")
    @ApiResponse(responseCode = "404", description = "No such model", content = @Content(mediaType = "application/problem+json"))
    void delete(@PathVariable long id) {
        models.delete(id);
    }

    @GetMapping(value = "/{id}/snapshot", produces = MediaType.APPLICATION_OCTET_STREAM_VALUE)
    @Operation(summary = "Download an imported model's parameters",
            description = "format=dl4j (default) returns a DL4J model file; format=safetensors a PyTorch state dict file.")
    void snapshot(@PathVariable long id, @RequestParam(defaultValue = "dl4j") String format,
            HttpServletRequest request, HttpServletResponse response) throws IOException {
        ModelInfo model = models.get(id);
        downloads.send(model.snapshotId(), format, "model-" + id, request, response);
    }
}
