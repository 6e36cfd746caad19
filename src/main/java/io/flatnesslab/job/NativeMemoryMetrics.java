package io.flatnesslab.job;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.bytedeco.javacpp.Pointer;
import org.springframework.stereotype.Component;

/**
 * Gauges of the off-heap memory that ND4J allocates through JavaCPP, next to Micrometer's own
 * JVM heap gauges, under {@code /actuator/metrics}.
 */
@Component
class NativeMemoryMetrics implements MeterBinder {

    @Override
    public void bindTo(MeterRegistry registry) {
        Gauge.builder("flatnesslab.native.tracked", Pointer::totalBytes)
                .description("Off-heap bytes allocated through JavaCPP and not yet freed (ND4J arrays and workspaces)")
                .baseUnit("bytes")
                .register(registry);
        Gauge.builder("flatnesslab.native.limit", Pointer::maxBytes)
                .description("Limit of JavaCPP's tracked off-heap bytes (-Dorg.bytedeco.javacpp.maxbytes)")
                .baseUnit("bytes")
                .register(registry);
        Gauge.builder("flatnesslab.process.resident", Pointer::physicalBytes)
                .description("Resident set size of the whole process as JavaCPP reads it")
                .baseUnit("bytes")
                .register(registry);
    }
}
