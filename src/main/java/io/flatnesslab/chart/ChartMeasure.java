package io.flatnesslab.chart;

import java.util.Arrays;
import java.util.List;

import io.flatnesslab.experiment.ExperimentResults.OverRuns;

/** Quantity a flatness chart plots against ε. */
enum ChartMeasure {

    /** L(θ + ε·d) − L(θ). */
    INCREASE("increase", "Loss increase under random perturbations", "loss increase L(θ + ε·d) − L(θ)"),

    /** ½[L(θ+εd) + L(θ−εd)] − L(θ); two-sided experiments only. */
    CURVATURE("curvature", "Curvature part of the loss change", "½[L(θ+εd) + L(θ−εd)] − L(θ)"),

    /** ½[L(θ+εd) − L(θ−εd)]; two-sided experiments only. */
    FIRST_ORDER("firstOrder", "First-order part of the loss change", "½[L(θ+εd) − L(θ−εd)]");

    private final String parameter;

    private final String title;

    private final String axisLabel;

    ChartMeasure(String parameter, String title, String axisLabel) {
        this.parameter = parameter;
        this.title = title;
        this.axisLabel = axisLabel;
    }

    static ChartMeasure parse(String value) {
        return Arrays.stream(values()).filter(measure -> measure.parameter.equals(value)).findFirst().orElse(null);
    }

    static List<String> parameters() {
        return Arrays.stream(values()).map(measure -> measure.parameter).toList();
    }

    boolean needsTwoSided() {
        return this != INCREASE;
    }

    String title() {
        return title;
    }

    String axisLabel() {
        return axisLabel;
    }

    Double mean(OverRuns point) {
        return switch (this) {
            case INCREASE -> point.mean();
            case CURVATURE -> point.curvature() == null ? null : point.curvature().mean();
            case FIRST_ORDER -> point.firstOrder() == null ? null : point.firstOrder().mean();
        };
    }

    Double std(OverRuns point) {
        return switch (this) {
            case INCREASE -> point.std();
            case CURVATURE -> point.curvature() == null ? null : point.curvature().std();
            case FIRST_ORDER -> point.firstOrder() == null ? null : point.firstOrder().std();
        };
    }
}
