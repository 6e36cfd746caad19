package io.flatnesslab.chart;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

import io.flatnesslab.chart.LandscapeChartRenderer.Series;
import io.flatnesslab.experiment.ExperimentNotFoundException;
import io.flatnesslab.experiment.ExperimentResults;
import io.flatnesslab.experiment.ExperimentResults.GroupResults;
import io.flatnesslab.experiment.ExperimentResults.RunResults;
import io.flatnesslab.experiment.ExperimentService;
import io.flatnesslab.experiment.FieldViolation;
import io.flatnesslab.experiment.InvalidRequestException;
import io.flatnesslab.experiment.MeasureResults.PairInterpolation;
import io.flatnesslab.experiment.MeasureResults.RunMeasures;
import io.flatnesslab.experiment.MeasureResults.ScalarSummary;
import io.flatnesslab.experiment.NetworkVariant;
import io.flatnesslab.flatness.HessianResult;
import io.flatnesslab.flatness.LandscapeScan.SliceResult;
import io.flatnesslab.flatness.LandscapeScan.SurfaceResult;
import io.swagger.v3.oas.annotations.Hidden;
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
import org.springframework.web.HttpMediaTypeNotAcceptableException;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Charts and data of the further measures of a finished experiment: 1D slices, 2D surfaces
 * (PNG and CSV), interpolations between runs and Hessian spectral densities. A run is named by
 * its group key and 0-based run index, and a network by its variant (ORIGINAL, or RESCALED
 * with a reparameterization check).
 */
@RestController
@RequestMapping("/api/experiments/{id}/charts")
@Tag(name = "Charts")
class LandscapeChartController {

    private static final MediaType CSV = new MediaType("text", "csv", StandardCharsets.UTF_8);

    private static final Set<String> CHARTS = Set.of("flatness.png", "slice.png", "surface.png", "surface.csv",
            "interpolation.png", "hessian-density.png", "measures.png");

    private final ExperimentService experiments;

    private final LandscapeChartRenderer renderer;

    private final MeasureComparisonRenderer comparison;

    LandscapeChartController(ExperimentService experiments, LandscapeChartRenderer renderer,
            MeasureComparisonRenderer comparison) {
        this.experiments = experiments;
        this.renderer = renderer;
        this.comparison = comparison;
    }

    @GetMapping(value = "/measures.png", produces = MediaType.IMAGE_PNG_VALUE)
    @Operation(summary = "One scalar measure compared across groups: mean over runs with ± std error bars",
            description = "measure is a name from the results' measureSummary, for example hessian.topEigenvalue, "
                    + "worstCase.mean, pacBayes.sigma or generalization.lossGap.")
    @ApiResponse(responseCode = "200", content = @Content(mediaType = "image/png"))
    @ApiResponse(responseCode = "400", description = "Invalid parameter or unknown measure", content = @Content(mediaType = "application/problem+json"))
    @ApiResponse(responseCode = "404", description = "No such experiment", content = @Content(mediaType = "application/problem+json"))
    @ApiResponse(responseCode = "409", description = "Not finished yet", content = @Content(mediaType = "application/problem+json"))
    ResponseEntity<byte[]> measures(@PathVariable long id,
            @Parameter(description = "Scalar measure name from measureSummary", example = "hessian.topEigenvalue")
            @RequestParam String measure,
            @Parameter(description = "Width in pixels, 200 to 4000") @RequestParam(defaultValue = "800") @Min(value = 200, message = "must be at least 200") @Max(value = 4000, message = "must be at most 4000") int width,
            @Parameter(description = "Height in pixels, 150 to 3000") @RequestParam(defaultValue = "500") @Min(value = 150, message = "must be at least 150") @Max(value = 3000, message = "must be at most 3000") int height,
            @Parameter(hidden = true) @RequestParam MultiValueMap<String, String> parameters) {
        checkParameters(parameters, Set.of("measure", "width", "height"));
        ExperimentResults results = experiments.results(id);

        List<MeasureComparisonRenderer.Bar> bars = new ArrayList<>();
        Set<String> available = new TreeSet<>();
        for (GroupResults group : results.groups()) {
            for (ScalarSummary summary : group.measureSummary()) {
                available.add(summary.measure());
                if (summary.measure().equals(measure)) {
                    bars.add(new MeasureComparisonRenderer.Bar(group.key(), summary.mean(), summary.std(), summary.runs()));
                }
            }
        }
        if (bars.isEmpty()) {
            throw invalid("measure", "experiment " + id + " has no measure '" + measure + "'; its measures are "
                    + available);
        }

        return png(comparison.render(measure, bars, width, height));
    }

    @GetMapping(value = "/slice.png", produces = MediaType.IMAGE_PNG_VALUE)
    @Operation(summary = "1D landscape slices: loss or accuracy at θ + α·d against α, one line per direction and run",
            description = "Needs flatness.slice in the spec. Without run, every run of the group is drawn.")
    @ApiResponse(responseCode = "200", content = @Content(mediaType = "image/png"))
    @ApiResponse(responseCode = "400", description = "Invalid parameter", content = @Content(mediaType = "application/problem+json"))
    @ApiResponse(responseCode = "404", description = "No such experiment, group, run or slice", content = @Content(mediaType = "application/problem+json"))
    @ApiResponse(responseCode = "409", description = "Not finished yet", content = @Content(mediaType = "application/problem+json"))
    ResponseEntity<byte[]> slice(@PathVariable long id,
            @Parameter(description = "Group key; required when the experiment has several groups") @RequestParam(required = false) String group,
            @Parameter(description = "0-based run index; all runs when absent") @RequestParam(required = false) Integer run,
            @Parameter(description = "ORIGINAL or RESCALED") @RequestParam(defaultValue = "ORIGINAL") String variant,
            @Parameter(description = "loss or accuracy") @RequestParam(defaultValue = "loss") String quantity,
            @Parameter(description = "Scale of the y axis: linear or log") @RequestParam(defaultValue = "linear") String yScale,
            @Parameter(description = "Width in pixels, 200 to 4000") @RequestParam(defaultValue = "900") @Min(value = 200, message = "must be at least 200") @Max(value = 4000, message = "must be at most 4000") int width,
            @Parameter(description = "Height in pixels, 150 to 3000") @RequestParam(defaultValue = "560") @Min(value = 150, message = "must be at least 150") @Max(value = 3000, message = "must be at most 3000") int height,
            @Parameter(hidden = true) @RequestParam MultiValueMap<String, String> parameters) {
        checkParameters(parameters, Set.of("group", "run", "variant", "quantity", "yScale", "width", "height"));
        boolean accuracy = quantity(quantity);
        boolean log = scale("yScale", yScale);
        NetworkVariant network = variant(variant);
        ExperimentResults results = experiments.results(id);
        GroupResults selected = group(results, group);

        double[] alphas = null;
        List<Series> series = new ArrayList<>();
        for (RunResults runResults : runs(selected, run)) {
            RunMeasures measures = measures(results, selected, runResults, network);
            if (measures == null || measures.slice() == null) {
                continue;
            }
            List<SliceResult> directions = measures.slice().directions();
            for (int k = 0; k < directions.size(); k++) {
                SliceResult slice = directions.get(k);
                alphas = slice.alphas();
                series.add(new Series("run " + runResults.runIndex() + ", direction " + k,
                        accuracy ? slice.accuracy() : slice.loss()));
            }
        }
        if (series.isEmpty()) {
            throw missing(results, selected, "slice", "flatness.slice");
        }

        String title = (accuracy ? "Training accuracy" : "Training loss") + " along landscape slices of " + selected.key()
                + (network == NetworkVariant.RESCALED ? " (rescaled)" : "");
        return png(renderer.renderSlice(title, "α", accuracy ? "training accuracy" : "training loss", alphas, series,
                width, height, log && !accuracy));
    }

    @GetMapping(value = "/surface.png", produces = MediaType.IMAGE_PNG_VALUE)
    @Operation(summary = "2D landscape surface: heatmap of the loss at θ + α·d1 + β·d2 with contour lines",
            description = "Needs flatness.surface in the spec. The cross marks the trained parameters (α = β = 0).")
    @ApiResponse(responseCode = "200", content = @Content(mediaType = "image/png"))
    @ApiResponse(responseCode = "400", description = "Invalid parameter", content = @Content(mediaType = "application/problem+json"))
    @ApiResponse(responseCode = "404", description = "No such experiment, group, run or surface", content = @Content(mediaType = "application/problem+json"))
    @ApiResponse(responseCode = "409", description = "Not finished yet", content = @Content(mediaType = "application/problem+json"))
    ResponseEntity<byte[]> surface(@PathVariable long id,
            @Parameter(description = "Group key; required when the experiment has several groups") @RequestParam(required = false) String group,
            @Parameter(description = "0-based run index") @RequestParam(defaultValue = "0") int run,
            @Parameter(description = "ORIGINAL or RESCALED") @RequestParam(defaultValue = "ORIGINAL") String variant,
            @Parameter(description = "Number of contour levels, 0 to 50") @RequestParam(defaultValue = "12") @Min(value = 0, message = "must be at least 0") @Max(value = 50, message = "must be at most 50") int levels,
            @Parameter(description = "Scale of the colours and contour levels: log or linear") @RequestParam(defaultValue = "log") String zScale,
            @Parameter(description = "Width in pixels, 200 to 4000") @RequestParam(defaultValue = "800") @Min(value = 200, message = "must be at least 200") @Max(value = 4000, message = "must be at most 4000") int width,
            @Parameter(description = "Height in pixels, 150 to 3000") @RequestParam(defaultValue = "700") @Min(value = 150, message = "must be at least 150") @Max(value = 3000, message = "must be at most 3000") int height,
            @Parameter(hidden = true) @RequestParam MultiValueMap<String, String> parameters) {
        checkParameters(parameters, Set.of("group", "run", "variant", "levels", "zScale", "width", "height"));
        boolean log = scale("zScale", zScale);
        SurfaceResult surface = surface(id, group, run, variant(variant));

        String title = "Loss surface of " + surfaceTitle(group, run, variant);
        return png(renderer.renderSurface(title, surface.alphas(), surface.betas(), surface.loss(), levels, width, height,
                log));
    }

    @GetMapping(value = "/surface.csv", produces = "text/csv")
    @Operation(summary = "2D landscape surface as CSV: alpha,beta,loss,accuracy, one row per grid point")
    @ApiResponse(responseCode = "200", content = @Content(mediaType = "text/csv"))
    @ApiResponse(responseCode = "400", description = "Invalid parameter", content = @Content(mediaType = "application/problem+json"))
    @ApiResponse(responseCode = "404", description = "No such experiment, group, run or surface", content = @Content(mediaType = "application/problem+json"))
    @ApiResponse(responseCode = "409", description = "Not finished yet", content = @Content(mediaType = "application/problem+json"))
    ResponseEntity<String> surfaceCsv(@PathVariable long id,
            @Parameter(description = "Group key; required when the experiment has several groups") @RequestParam(required = false) String group,
            @Parameter(description = "0-based run index") @RequestParam(defaultValue = "0") int run,
            @Parameter(description = "ORIGINAL or RESCALED") @RequestParam(defaultValue = "ORIGINAL") String variant,
            @Parameter(hidden = true) @RequestParam MultiValueMap<String, String> parameters) {
        checkParameters(parameters, Set.of("group", "run", "variant"));
        SurfaceResult surface = surface(id, group, run, variant(variant));

        return ResponseEntity.ok()
                .contentType(CSV)
                .cacheControl(CacheControl.noCache())
                .body(SurfaceCsv.format(surface.alphas(), surface.betas(), surface.loss(), surface.accuracy()));
    }

    @GetMapping(value = "/interpolation.png", produces = MediaType.IMAGE_PNG_VALUE)
    @Operation(summary = "Linear interpolation between consecutive runs: loss or accuracy against t",
            description = "Needs flatness.interpolation in the spec. t = 0 and t = 1 are the two runs; one line per pair.")
    @ApiResponse(responseCode = "200", content = @Content(mediaType = "image/png"))
    @ApiResponse(responseCode = "400", description = "Invalid parameter", content = @Content(mediaType = "application/problem+json"))
    @ApiResponse(responseCode = "404", description = "No such experiment or group, or no interpolation", content = @Content(mediaType = "application/problem+json"))
    @ApiResponse(responseCode = "409", description = "Not finished yet", content = @Content(mediaType = "application/problem+json"))
    ResponseEntity<byte[]> interpolation(@PathVariable long id,
            @Parameter(description = "Group key; all groups when absent") @RequestParam(required = false) String group,
            @Parameter(description = "loss or accuracy") @RequestParam(defaultValue = "loss") String quantity,
            @Parameter(description = "Scale of the y axis: linear or log") @RequestParam(defaultValue = "linear") String yScale,
            @Parameter(description = "Width in pixels, 200 to 4000") @RequestParam(defaultValue = "900") @Min(value = 200, message = "must be at least 200") @Max(value = 4000, message = "must be at most 4000") int width,
            @Parameter(description = "Height in pixels, 150 to 3000") @RequestParam(defaultValue = "560") @Min(value = 150, message = "must be at least 150") @Max(value = 3000, message = "must be at most 3000") int height,
            @Parameter(hidden = true) @RequestParam MultiValueMap<String, String> parameters) {
        checkParameters(parameters, Set.of("group", "quantity", "yScale", "width", "height"));
        boolean accuracy = quantity(quantity);
        boolean log = scale("yScale", yScale);
        ExperimentResults results = experiments.results(id);
        List<GroupResults> groups = group == null ? results.groups() : List.of(group(results, group));

        double[] t = null;
        List<Series> series = new ArrayList<>();
        for (GroupResults selected : groups) {
            for (PairInterpolation pair : selected.interpolations()) {
                if (t != null && !Arrays.equals(t, pair.result().t())) {
                    continue;
                }
                t = pair.result().t();
                String target = pair.runB() != null ? "run " + pair.runB() : "imported model " + pair.modelB();
                series.add(new Series(selected.key() + ": run " + pair.runA() + " to " + target,
                        accuracy ? pair.result().accuracy() : pair.result().loss()));
            }
        }
        if (series.isEmpty()) {
            throw new ExperimentNotFoundException("experiment " + id + " has no interpolation"
                    + (group == null ? "" : " in group '" + group + "'") + "; request one with flatness.interpolation "
                    + "and runsPerGroup of at least 2");
        }

        return png(renderer.renderInterpolation((accuracy ? "Training accuracy" : "Training loss")
                + " along the interpolation between runs", "t", accuracy ? "training accuracy" : "training loss", t,
                series, width, height, log && !accuracy));
    }

    @GetMapping(value = "/hessian-density.png", produces = MediaType.IMAGE_PNG_VALUE)
    @Operation(summary = "Hessian spectral density by stochastic Lanczos quadrature, with the top eigenvalues marked",
            description = "Needs flatness.hessian with densityVectors of at least 1 in the spec.")
    @ApiResponse(responseCode = "200", content = @Content(mediaType = "image/png"))
    @ApiResponse(responseCode = "400", description = "Invalid parameter", content = @Content(mediaType = "application/problem+json"))
    @ApiResponse(responseCode = "404", description = "No such experiment, group, run or density", content = @Content(mediaType = "application/problem+json"))
    @ApiResponse(responseCode = "409", description = "Not finished yet", content = @Content(mediaType = "application/problem+json"))
    ResponseEntity<byte[]> hessianDensity(@PathVariable long id,
            @Parameter(description = "Group key; required when the experiment has several groups") @RequestParam(required = false) String group,
            @Parameter(description = "0-based run index") @RequestParam(defaultValue = "0") int run,
            @Parameter(description = "ORIGINAL or RESCALED") @RequestParam(defaultValue = "ORIGINAL") String variant,
            @Parameter(description = "Scale of the density axis: log or linear") @RequestParam(defaultValue = "log") String yScale,
            @Parameter(description = "Width in pixels, 200 to 4000") @RequestParam(defaultValue = "900") @Min(value = 200, message = "must be at least 200") @Max(value = 4000, message = "must be at most 4000") int width,
            @Parameter(description = "Height in pixels, 150 to 3000") @RequestParam(defaultValue = "560") @Min(value = 150, message = "must be at least 150") @Max(value = 3000, message = "must be at most 3000") int height,
            @Parameter(hidden = true) @RequestParam MultiValueMap<String, String> parameters) {
        checkParameters(parameters, Set.of("group", "run", "variant", "yScale", "width", "height"));
        boolean log = scale("yScale", yScale);
        NetworkVariant network = variant(variant);
        ExperimentResults results = experiments.results(id);
        GroupResults selected = group(results, group);
        RunMeasures measures = measures(results, selected, runs(selected, run).get(0), network);
        HessianResult hessian = measures == null ? null : measures.hessian();
        if (hessian == null || hessian.density() == null) {
            throw missing(results, selected, "Hessian density", "flatness.hessian with densityVectors of at least 1");
        }

        double[] top = hessian.topEigenvalues() == null ? new double[0]
                : hessian.topEigenvalues().stream().mapToDouble(HessianResult.Eigenvalue::value).toArray();
        String title = "Hessian spectral density of " + selected.key() + " run " + run
                + (network == NetworkVariant.RESCALED ? " (rescaled)" : "");
        return png(renderer.renderDensity(title, hessian.density().grid(), hessian.density().values(), top, width, height,
                log));
    }

    /** Rejects a chart name that no other mapping of this path serves, listing the charts that exist. */
    @GetMapping("/{chart}")
    @Hidden
    ResponseEntity<byte[]> unknownChart(@PathVariable long id, @PathVariable String chart)
            throws HttpMediaTypeNotAcceptableException {
        if (CHARTS.contains(chart)) {
            // The chart's own mapping did not match only because the Accept header excludes its type.
            throw new HttpMediaTypeNotAcceptableException(List.of(chart.endsWith(".csv") ? CSV : MediaType.IMAGE_PNG));
        }
        throw new ExperimentNotFoundException("chart '" + chart + "' not found; the charts of an experiment are "
                + "flatness.png, slice.png, surface.png, surface.csv, interpolation.png, hessian-density.png and "
                + "measures.png under /api/experiments/" + id + "/charts/");
    }

    private SurfaceResult surface(long id, String group, int run, NetworkVariant network) {
        ExperimentResults results = experiments.results(id);
        GroupResults selected = group(results, group);
        RunMeasures measures = measures(results, selected, runs(selected, run).get(0), network);
        if (measures == null || measures.surface() == null) {
            throw missing(results, selected, "surface", "flatness.surface");
        }
        return measures.surface().surface();
    }

    private static String surfaceTitle(String group, int run, String variant) {
        String name = group == null ? "" : group + " ";
        return name + "run " + run + (variant.equalsIgnoreCase("RESCALED") ? " (rescaled)" : "");
    }

    private static GroupResults group(ExperimentResults results, String key) {
        if (key == null) {
            if (results.groups().size() == 1) {
                return results.groups().get(0);
            }
            throw invalid("group", "is required because experiment " + results.experimentId() + " has "
                    + results.groups().size() + " groups: " + keys(results));
        }
        return results.groups().stream()
                .filter(group -> group.key().equals(key))
                .findFirst()
                .orElseThrow(() -> new ExperimentNotFoundException("group '" + key + "' not found in experiment "
                        + results.experimentId() + "; its groups are " + keys(results)));
    }

    private static List<RunResults> runs(GroupResults group, Integer run) {
        if (run == null) {
            return group.runs();
        }
        if (run < 0) {
            throw invalid("run", "must be at least 0; got " + run);
        }
        return group.runs().stream()
                .filter(stored -> stored.runIndex() == run)
                .findFirst()
                .map(List::of)
                .orElseThrow(() -> new ExperimentNotFoundException("run " + run + " of group '" + group.key()
                        + "' not found; its stored runs are " + group.runs().stream().map(RunResults::runIndex).toList()));
    }

    private static RunMeasures measures(ExperimentResults results, GroupResults group, RunResults run,
            NetworkVariant network) {
        return run.measures() == null ? null : run.measures().stream()
                .filter(measures -> measures.variant() == network)
                .findFirst()
                .orElse(null);
    }

    private static ExperimentNotFoundException missing(ExperimentResults results, GroupResults group, String what,
            String request) {
        return new ExperimentNotFoundException("experiment " + results.experimentId() + " has no " + what + " for group '"
                + group.key() + "' and the selected runs and variant; request one with " + request
                + " (and a reparameterization check for variant RESCALED)");
    }

    private static NetworkVariant variant(String value) {
        try {
            return NetworkVariant.valueOf(value.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw invalid("variant", "must be ORIGINAL or RESCALED; got '" + value + "'");
        }
    }

    /** Returns true for accuracy, false for loss. */
    private static boolean quantity(String value) {
        if (!value.equals("loss") && !value.equals("accuracy")) {
            throw invalid("quantity", "must be 'loss' or 'accuracy'; got '" + value + "'");
        }
        return value.equals("accuracy");
    }

    /** Returns true for log, false for linear. */
    private static boolean scale(String name, String value) {
        if (!value.equals("log") && !value.equals("linear")) {
            throw invalid(name, "must be 'log' or 'linear'; got '" + value + "'");
        }
        return value.equals("log");
    }

    private static void checkParameters(MultiValueMap<String, String> parameters, Set<String> accepted) {
        List<String> unknown = parameters.keySet().stream().filter(name -> !accepted.contains(name)).sorted().toList();
        if (!unknown.isEmpty()) {
            throw invalid(unknown.get(0), "unknown parameter; accepted parameters are " + accepted.stream().sorted().toList());
        }
        for (String name : accepted) {
            if (parameters.containsKey(name) && parameters.get(name).size() > 1) {
                throw invalid(name, "must be given once; got " + parameters.get(name).size() + " values");
            }
        }
    }

    private static List<String> keys(ExperimentResults results) {
        return results.groups().stream().map(GroupResults::key).toList();
    }

    private static InvalidRequestException invalid(String field, String message) {
        return new InvalidRequestException("Invalid request", List.of(new FieldViolation(field, message)));
    }

    private static ResponseEntity<byte[]> png(byte[] png) {
        return ResponseEntity.ok()
                .contentType(MediaType.IMAGE_PNG)
                .cacheControl(CacheControl.noCache())
                .body(png);
    }
}
