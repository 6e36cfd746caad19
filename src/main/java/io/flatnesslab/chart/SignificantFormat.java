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

    private final int digits;

    SignificantFormat(boolean powerOfTen) {
        this(powerOfTen, 3);
    }

    /** A format with {@code digits} significant digits, for axes whose range is narrow. */
    SignificantFormat(boolean powerOfTen, int digits) {
        this.powerOfTen = powerOfTen;
        this.digits = digits;
    }

    /**
     * Returns the significant digits that keep the ticks of a log₁₀ axis spanning {@code span}
     * decades apart: 3, or more for a range narrower than a twentieth of a decade.
     */
    static int digitsForLogSpan(double span) {
        if (!(span > 0) || span >= 0.05) {
            return 3;
        }
        return (int) Math.min(8, Math.ceil(-Math.log10(span)) + 2);
    }

    @Override
    public StringBuffer format(double number, StringBuffer target, FieldPosition position) {
        double value = powerOfTen ? Math.pow(10, number) : number;
        return target.append(String.format(Locale.ROOT, "%." + digits + "g", value));
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
