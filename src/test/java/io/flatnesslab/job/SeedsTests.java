package io.flatnesslab.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

import org.junit.jupiter.api.Test;

class SeedsTests {

    @Test
    void derivationIsStableAndUnitSpecific() {
        long init = Seeds.derive(0, "init", "over-natural", 0);

        assertThat(Seeds.derive(0, "init", "over-natural", 0)).isEqualTo(init);
        assertThat(Seeds.derive(0, "init", "over-natural", 1)).isNotEqualTo(init);
        assertThat(Seeds.derive(0, "shuffle", "over-natural", 0)).isNotEqualTo(init);
        assertThat(Seeds.derive(1, "init", "over-natural", 0)).isNotEqualTo(init);
        // Splitting parts differently must give another stream.
        assertThat(Seeds.derive(0, "init", "over-natural0")).isNotEqualTo(init);
    }

    @Test
    void derivationIsFixedAcrossVersions() {
        // SplitMix64 and FNV-1a are fixed functions; a change here changes every stored result.
        assertThat(Seeds.derive(0)).isEqualTo(0xE220A8397B1DCDAFL);
    }

    @Test
    void subsetIsSortedDistinctAndInRange() {
        int[] subset = TrainingSubset.sample(10_000, 1000, 5);

        Set<Integer> distinct = new HashSet<>();
        Arrays.stream(subset).forEach(distinct::add);
        assertThat(subset).hasSize(1000);
        assertThat(distinct).hasSize(1000);
        assertThat(subset).isSorted();
        assertThat(subset[0]).isGreaterThanOrEqualTo(0);
        assertThat(subset[999]).isLessThan(10_000);
        assertThat(TrainingSubset.sample(10_000, 1000, 5)).isEqualTo(subset);
        assertThat(TrainingSubset.sample(10_000, 1000, 6)).isNotEqualTo(subset);
    }

    @Test
    void fullSubsetIsEveryIndex() {
        assertThat(TrainingSubset.sample(50, 50, 1)).containsExactly(java.util.stream.IntStream.range(0, 50).toArray());
    }

    @Test
    void randomLabelsCoverAllClassesUniformly() {
        int[] labels = TrainingSubset.randomLabels(10_000, 10, 3);

        int[] counts = new int[10];
        Arrays.stream(labels).forEach(label -> counts[label]++);
        assertThat(Arrays.stream(counts).boxed().toList()).allSatisfy(count -> assertThat(count).isBetween(850, 1150));
    }
}
