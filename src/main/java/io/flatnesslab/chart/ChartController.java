package io.flatnesslab.chart;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

import io.flatnesslab.experiment.ExperimentResults;
import io.flatnesslab.experiment.ExperimentResults.GroupResults;
import io.flatnesslab.experiment.ExperimentService;
import io.flatnesslab.experiment.FieldViolation;
import io.flatnesslab.experiment.InvalidRequestException;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import org.springframework.http.CacheControl;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.util.MultiValueMap;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/experiments/{id}/charts")
@Tag(name = "Charts")
class ChartController {

    private static final List<String> PARAMETERS = List.of("groups", "width", "height", "xScale", "measure");

    /**
     * Parameters that take one value. Spring binds only the first value of a repeated number
     * and joins the values of a repeated string with commas, which only groups accepts.
     */
    private static final List<String> SINGLE_VALUED = List.of("width", "height", "xScale", "measure");

    private final ExperimentService experiments;

    private final FlatnessChartRenderer renderer;

    ChartController(ExperimentService experiments, FlatnessChartRenderer renderer) {
        this.experiments = experiments;
        this.renderer = renderer;
    }

    @GetMapping(value = "/flatness.png", produces = MediaType.IMAGE_PNG_VALUE)
    @Operation(summary = "Loss increase against ε with error bars, one series per group",
            description = "The classic figures are groups=over-natural,under-natural and groups=over-natural,over-random. "
                    + "Points are the mean over runs of each run's mean over directions; error bars are ± the "
                    + "population std over runs.")
    @ApiResponse(responseCode = "200", content = @Content(mediaType = "image/png"))
    @ApiResponse(responseCode = "400", description = "Invalid parameter", content = @Content(mediaType = "application/problem+json"))
    @ApiResponse(responseCode = "404", description = "No such experiment", content = @Content(mediaType = "application/problem+json"))
    @ApiResponse(responseCode = "409", description = "Not finished yet", content = @Content(mediaType = "application/problem+json"))
    ResponseEntity<byte[]> flatness(@PathVariable long id,
            @Parameter(description = "Comma-separated group keys; all groups when absent", example = "over-natural,under-natural")
            @RequestParam(required = false) String groups,
            @Parameter(description = "Width in pixels, 200 to 4000") @RequestParam(defaultValue = "900") @Min(200) @Max(4000) int width,
            @Parameter(description = "Height in pixels, 150 to 3000") @RequestParam(defaultValue = "560") @Min(150) @Max(3000) int height,
            @Parameter(description = "Scale of the ε axis: log or linear") @RequestParam(defaultValue = "log") String xScale,
            @Parameter(description = "increase, or for two-sided experiments curvature or firstOrder")
            @RequestParam(defaultValue = "increase") String measure,
            @Parameter(hidden = true) @RequestParam MultiValueMap<String, String> parameters) {
        List<String> unknown = parameters.keySet().stream().filter(name -> !PARAMETERS.contains(name)).sorted().toList();
        if (!unknown.isEmpty()) {
            throw new InvalidRequestException("Invalid request", List.of(new FieldViolation(unknown.get(0),
                    "unknown parameter; accepted parameters are " + PARAMETERS)));
        }
        for (String name : SINGLE_VALUED) {
            if (parameters.containsKey(name) && parameters.get(name).size() > 1) {
                throw new InvalidRequestException("Invalid request", List.of(new FieldViolation(name,
                        "must be given once; got " + parameters.get(name).size() + " values")));
            }
        }
        if (!xScale.equals("log") && !xScale.equals("linear")) {
            throw new InvalidRequestException("Invalid request", List.of(new FieldViolation("xScale", "must be 'log' or 'linear'; got '" + xScale + "'")));
        }
        ChartMeasure plotted = ChartMeasure.parse(measure);
        if (plotted == null) {
            throw new InvalidRequestException("Invalid request", List.of(new FieldViolation("measure",
                    "must be one of " + ChartMeasure.parameters() + "; got '" + measure + "'")));
        }
        ExperimentResults results = experiments.results(id);
        List<GroupResults> selected = select(results, groups);
        boolean twoSided = selected.stream().flatMap(group -> group.lossIncrease().stream()).anyMatch(point -> point.curvature() != null);
        if (plotted.needsTwoSided() && !twoSided) {
            throw new InvalidRequestException("Invalid request", List.of(new FieldViolation("measure",
                    measure + " needs a two-sided experiment (flatness.twoSided = true); use measure=increase")));
        }

        byte[] png = renderer.render(results, selected, width, height, xScale.equals("log"), plotted);
        return ResponseEntity.ok()
                .contentType(MediaType.IMAGE_PNG)
                .cacheControl(CacheControl.noCache())
                .body(png);
    }

    private static List<GroupResults> select(ExperimentResults results, String groups) {
        if (groups == null || groups.isBlank()) {
            return results.groups();
        }
        Map<String, GroupResults> byKey = new LinkedHashMap<>();
        results.groups().forEach(group -> byKey.put(group.key(), group));

        List<GroupResults> selected = new ArrayList<>();
        List<String> unknown = new ArrayList<>();
        for (String key : new LinkedHashSet<>(Arrays.asList(groups.split(",")))) {
            GroupResults group = byKey.get(key.trim());
            if (group == null) {
                unknown.add(key.trim());
            } else {
                selected.add(group);
            }
        }
        if (!unknown.isEmpty()) {
            throw new InvalidRequestException("Invalid request", List.of(new FieldViolation("groups", "unknown group keys " + unknown
                    + "; experiment " + results.experimentId() + " has " + byKey.keySet())));
        }
        // A value of only commas, such as groups=,, splits into no keys.
        if (selected.isEmpty()) {
            throw new InvalidRequestException("Invalid request", List.of(new FieldViolation("groups", "lists no group key; "
                    + "name keys of experiment " + results.experimentId() + ", " + byKey.keySet()
                    + ", or leave groups out to plot every group")));
        }
        return selected;
    }
}
