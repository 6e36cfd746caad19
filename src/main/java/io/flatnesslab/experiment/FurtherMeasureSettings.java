package io.flatnesslab.experiment;

import io.flatnesslab.flatness.HessianSettings;
import io.flatnesslab.flatness.KeskarSettings;
import io.flatnesslab.flatness.PacBayesSettings;
import io.flatnesslab.flatness.WorstCaseSettings;

/** Conversion of the spec's measure sections, defaults resolved, into the settings of the measures. */
public final class FurtherMeasureSettings {

    private FurtherMeasureSettings() {
    }

    public static WorstCaseSettings worstCase(WorstCaseSpec worstCase, int trainSize, long seed) {
        return new WorstCaseSettings(worstCase.radius(), worstCase.adaptive(), worstCase.iterations(),
                worstCase.stepSize(), worstCase.restarts(), worstCase.batches(), worstCase.batchSizeFor(trainSize), seed);
    }

    public static KeskarSettings keskar(KeskarSpec keskar, int trainSize, long seed) {
        return new KeskarSettings(keskar.epsilon(), keskar.iterations(), keskar.stepSize(), keskar.batches(),
                keskar.batchSizeFor(trainSize), seed);
    }

    public static HessianSettings hessian(HessianSpec hessian, long seed) {
        return new HessianSettings(hessian.topK(), HessianSettings.Method.valueOf(hessian.method().name()),
                hessian.maxIterations(), hessian.tolerance(), hessian.traceSamples(), hessian.densityVectors(),
                hessian.lanczosSteps(), hessian.finiteDifferenceStep(), seed, hessian.product());
    }

    public static PacBayesSettings pacBayes(PacBayesSpec pacBayes, long seed) {
        return new PacBayesSettings(pacBayes.targetErrorIncrease(), pacBayes.magnitudeAware(), pacBayes.samples(),
                pacBayes.bisectionSteps(), pacBayes.sigmaMin(), pacBayes.sigmaMax(), seed);
    }
}
