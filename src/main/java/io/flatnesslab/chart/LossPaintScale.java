package io.flatnesslab.chart;

import java.awt.Color;
import java.awt.Paint;

import org.jfree.chart.renderer.PaintScale;

/**
 * Colour ramp of the loss heatmap from dark blue at the lower bound through pale yellow to dark
 * red at the upper bound (the six-colour RdYlBu scheme of ColorBrewer, reversed). Values outside
 * the bounds take the end colours, and NaN or infinite values take {@link #NON_FINITE}, a grey
 * that the ramp does not contain.
 */
record LossPaintScale(double lowerBound, double upperBound) implements PaintScale {

    /** Colour of grid points whose loss is NaN or infinite, as at diverged points. */
    static final Color NON_FINITE = new Color(0xa0a0a0);

    private static final Color[] RAMP = {
            new Color(0x313695), new Color(0x4575b4), new Color(0x74add1), new Color(0xfee090), new Color(0xf46d43),
            new Color(0xa50026)};

    LossPaintScale {
        if (!Double.isFinite(lowerBound) || !Double.isFinite(upperBound) || lowerBound >= upperBound) {
            throw new IllegalArgumentException("bounds must be finite with lowerBound < upperBound; got "
                    + lowerBound + " and " + upperBound);
        }
    }

    @Override
    public double getLowerBound() {
        return lowerBound;
    }

    @Override
    public double getUpperBound() {
        return upperBound;
    }

    @Override
    public Paint getPaint(double value) {
        if (!Double.isFinite(value)) {
            return NON_FINITE;
        }

        double position = (value - lowerBound) / (upperBound - lowerBound);
        double scaled = Math.min(Math.max(position, 0.0), 1.0) * (RAMP.length - 1);
        int low = Math.min((int) scaled, RAMP.length - 2);
        double fraction = scaled - low;
        return blend(RAMP[low], RAMP[low + 1], fraction);
    }

    private static Color blend(Color from, Color to, double fraction) {
        return new Color(
                (int) Math.round(from.getRed() + fraction * (to.getRed() - from.getRed())),
                (int) Math.round(from.getGreen() + fraction * (to.getGreen() - from.getGreen())),
                (int) Math.round(from.getBlue() + fraction * (to.getBlue() - from.getBlue())));
    }
}
