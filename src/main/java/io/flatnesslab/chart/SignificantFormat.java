package io.flatnesslab.chart;

import java.text.FieldPosition;
import java.text.NumberFormat;
import java.text.ParsePosition;
import java.util.Locale;

/**
 * Tick label format with three significant digits ("0.0126", "3.50", "1.20e-05"), for log axes
 * whose ticks can fall anywhere inside a decade. With {@code powerOfTen} it labels an axis of
 * log₁₀ values with the values themselves, so that tick 2 reads "100".
 */
final class SignificantFormat extends NumberFormat {

    private final boolean powerOfTen;

    SignificantFormat(boolean powerOfTen) {
        this.powerOfTen = powerOfTen;
    }

    @Override
    public StringBuffer format(double number, StringBuffer target, FieldPosition position) {
        double value = powerOfTen ? Math.pow(10, number) : number;
        return target.append(String.format(Locale.ROOT, "%.3g", value));
    }

    @Override
    public StringBuffer format(long number, StringBuffer target, FieldPosition position) {
        return format((double) number, target, position);
    }

    /** Rejects parsing, because the format only labels ticks. */
    @Override
    public Number parse(String source, ParsePosition position) {
        throw new UnsupportedOperationException("tick labels are not parsed");
    }
}
