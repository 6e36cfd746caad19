package io.flatnesslab;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;

class NativeLibrariesTests {

    @Test
    void choosesFastestSupportedBuild() {
        assertThat(NativeLibraries.fromCpuFlags(Set.of("sse2", "avx", "avx2", "fma", "f16c", "avx512f", "avx512dq",
                "avx512bw", "avx512vl"))).isEqualTo("-avx512");
        assertThat(NativeLibraries.fromCpuFlags(Set.of("avx2", "fma", "f16c", "avx512f"))).isEqualTo("-avx2");
        assertThat(NativeLibraries.fromCpuFlags(Set.of("sse2", "avx"))).isEmpty();
        assertThat(NativeLibraries.fromCpuFlags(Set.of())).isEmpty();
    }

    @Test
    void selectedBuildComputes() {
        String extension = System.getProperty(NativeLibraries.JAVACPP_EXTENSION);

        assertThat(extension).isNotNull();
        assertThat(Nd4j.createFromArray(1f, 2f, 3f).sumNumber().floatValue()).isEqualTo(6f);
    }
}
