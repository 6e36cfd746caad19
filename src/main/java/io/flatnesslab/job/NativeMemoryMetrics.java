package io.flatnesslab.job;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.bytedeco.javacpp.Pointer;
import org.springframework.stereotype.Component;

/**
 * Gauges of the memory the process uses outside the JVM's heap, next to Micrometer's own JVM
 * gauges, under {@code /actuator/metrics}.
 *
 * <p>ND4J 1.0.0-M2.1's CPU backend allocates its arrays with native malloc, which neither
 * JavaCPP's {@code Pointer.totalBytes()} nor ND4J's {@code AllocationsTracker} counts (both
 * stayed near 0 after allocating a 100 MB array). So the off-heap figure is an estimate:
 * resident memory minus the used heap and non-heap pools. It includes thread stacks, OpenBLAS
 * buffers and the JVM's own native memory besides ND4J's arrays, and it overestimates by the
 * heap pages the collector has touched but that hold no live objects now. Committed sizes are
 * no better a base: committed heap that was never touched is not resident, so subtracting it
 * read 0 during a classic run.
 */
@Component
class NativeMemoryMetrics implements MeterBinder {

    private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();

    @Override
    public void bindTo(MeterRegistry registry) {
        Gauge.builder("flatnesslab.process.resident", Pointer::physicalBytes)
                .description("Resident set size of the whole process")
                .baseUnit("bytes")
                .register(registry);
        Gauge.builder("flatnesslab.memory.outside.jvm.pools", this::outsideJvmPools)
                .description("Estimated off-heap memory: resident size minus used heap and non-heap pools")
                .baseUnit("bytes")
                .register(registry);
    }

    private double outsideJvmPools() {
        long used = memory.getHeapMemoryUsage().getUsed() + memory.getNonHeapMemoryUsage().getUsed();
        return Math.max(0, Pointer.physicalBytes() - used);
    }
}
