package io.flatnesslab.flatness;

/**
 * Settings of {@link PacBayesFlatness}.
 *
 * @param targetErrorIncrease the allowed rise d of the mean training error, in (0, 1),
 *     {@link #DEFAULT_TARGET_ERROR_INCREASE} by default
 * @param magnitudeAware whether the noise of parameter i scales with |θ₀_i|
 * @param samples Monte Carlo draws M per σ, at least 1
 * @param bisectionSteps halvings of the log σ bracket after both ends are evaluated, at least 0
 * @param sigmaMin lower end of the σ bracket, finite and positive; {@link #DEFAULT_SIGMA_MIN} by
 *     default
 * @param sigmaMax upper end of the σ bracket, finite and above sigmaMin;
 *     {@link #DEFAULT_SIGMA_MAX} by default
 * @param seed seed of the noise draws
 */
public record PacBayesSettings(double targetErrorIncrease, boolean magnitudeAware, int samples, int bisectionSteps,
        double sigmaMin, double sigmaMax, long seed) {

    /**
     * Default d, the accuracy displacement of the robust-generalization-measures implementation
     * of Jiang et al.'s measures (github.com/nitarshan/robust-generalization-measures, measures.py).
     */
    public static final double DEFAULT_TARGET_ERROR_INCREASE = 0.1;

    public static final double DEFAULT_SIGMA_MIN = 1e-6;

    public static final double DEFAULT_SIGMA_MAX = 10;

    /**
     * Validates the settings.
     *
     * @throws IllegalArgumentException naming the first field out of range
     */
    public PacBayesSettings {
        if (!(targetErrorIncrease > 0 && targetErrorIncrease < 1)) {
            throw new IllegalArgumentException("targetErrorIncrease must be in (0, 1), got " + targetErrorIncrease);
        }
        if (samples < 1) {
            throw new IllegalArgumentException("samples must be at least 1, got " + samples);
        }
        if (bisectionSteps < 0) {
            throw new IllegalArgumentException("bisectionSteps must be at least 0, got " + bisectionSteps);
        }
        if (!(sigmaMin > 0) || Double.isInfinite(sigmaMin)) {
            throw new IllegalArgumentException("sigmaMin must be finite and positive, got " + sigmaMin);
        }
        if (!(sigmaMax > sigmaMin) || Double.isInfinite(sigmaMax)) {
            throw new IllegalArgumentException("sigmaMax must be finite and above sigmaMin = " + sigmaMin + ", got "
                    + sigmaMax);
        }
    }
}
