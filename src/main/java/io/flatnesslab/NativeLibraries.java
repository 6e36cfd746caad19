package io.flatnesslab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Choice of ND4J's native build. The application ships three: generic x86-64, AVX2 and
 * AVX-512. JavaCPP loads the one named by the system property
 * {@code org.bytedeco.javacpp.platform.extension}, which must be set before ND4J first loads,
 * so {@link #select()} runs at the top of {@code main}.
 *
 * <p>The AVX-512 build trained a 784-5000-5000-10 network about three times faster per step
 * than the generic one on an AMD EPYC with AVX-512 (docs/benchmarks.md). A build that uses
 * instructions the CPU lacks would crash the process with an illegal instruction, so the
 * choice follows the CPU flags in /proc/cpuinfo. Without that file (not Linux) the generic
 * build is kept. The property {@code flatnesslab.native.extension} (or the environment
 * variable {@code FLATNESSLAB_NATIVE_EXTENSION}) overrides the choice: {@code -avx512},
 * {@code -avx2}, or {@code none} for the generic build.
 */
public final class NativeLibraries {

    static final String JAVACPP_EXTENSION = "org.bytedeco.javacpp.platform.extension";

    private static final Set<String> AVX512_FLAGS = Set.of("avx512f", "avx512dq", "avx512bw", "avx512vl");

    private static final Set<String> AVX2_FLAGS = Set.of("avx2", "fma", "f16c");

    private static final Logger log = LoggerFactory.getLogger(NativeLibraries.class);

    private NativeLibraries() {
    }

    /** Sets JavaCPP's platform extension unless it is already set, and returns the chosen one. */
    public static String select() {
        String preset = System.getProperty(JAVACPP_EXTENSION);
        if (preset != null) {
            return preset;
        }

        String requested = System.getProperty("flatnesslab.native.extension",
                System.getenv().getOrDefault("FLATNESSLAB_NATIVE_EXTENSION", ""));
        String extension = requested.isBlank() ? fromCpuFlags(cpuFlags()) : requested.strip();
        if (extension.equals("none")) {
            extension = "";
        }
        System.setProperty(JAVACPP_EXTENSION, extension);
        log.info("ND4J native build: linux-x86_64{} ({})", extension,
                requested.isBlank() ? "chosen from the CPU flags" : "set by flatnesslab.native.extension");
        return extension;
    }

    static String fromCpuFlags(Set<String> flags) {
        if (flags.containsAll(AVX512_FLAGS)) {
            return "-avx512";
        }
        if (flags.containsAll(AVX2_FLAGS)) {
            return "-avx2";
        }
        return "";
    }

    private static Set<String> cpuFlags() {
        if (!System.getProperty("os.arch", "").toLowerCase(Locale.ROOT).matches("amd64|x86_64")) {
            return Set.of();
        }
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                    .filter(line -> line.startsWith("flags"))
                    .findFirst()
                    .map(line -> Arrays.stream(line.substring(line.indexOf(':') + 1).strip().split("\\s+"))
                            .collect(Collectors.toSet()))
                    .orElse(Set.of());
        } catch (IOException e) {
            return Set.of();
        }
    }
}
