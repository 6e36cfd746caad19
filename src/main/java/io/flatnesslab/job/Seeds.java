package io.flatnesslab.job;

import java.nio.charset.StandardCharsets;

/**
 * Derivation of independent random seeds from the experiment seed and a unit name, so that
 * every random stream (subset, random labels, and per group and run: initialization, shuffling,
 * each direction) can be recomputed on its own.
 *
 * <p>derive(seed, p1, ..., pn) = h_n with h_0 = mix(seed) and h_i = mix(h_(i-1) XOR
 * fnv1a64(p_i)), where mix is the SplitMix64 finalizer and fnv1a64 the 64-bit FNV-1a hash of
 * the part's UTF-8 text. Both are fixed, so seeds do not change between JVMs or versions.
 */
final class Seeds {

    private Seeds() {
    }

    static long derive(long seed, Object... unit) {
        long hash = mix(seed);
        for (Object part : unit) {
            hash = mix(hash ^ fnv1a64(String.valueOf(part)));
        }
        return hash;
    }

    private static long mix(long value) {
        long z = value + 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    private static long fnv1a64(String text) {
        long hash = 0xCBF29CE484222325L;
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            hash ^= b & 0xFF;
            hash *= 0x100000001B3L;
        }
        return hash;
    }
}
