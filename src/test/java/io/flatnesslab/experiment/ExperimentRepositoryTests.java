package io.flatnesslab.experiment;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.data.jpa.test.autoconfigure.DataJpaTest;
import org.springframework.data.domain.PageRequest;

/** Repository queries against the Flyway schema in H2. */
@DataJpaTest(properties = "spring.datasource.url=jdbc:h2:mem:repository;DB_CLOSE_DELAY=-1")
class ExperimentRepositoryTests {

    @Autowired
    ExperimentRepository experiments;

    @Test
    void transitionOnlyMovesFromExpectedStatus() {
        Experiment saved = experiments.save(new Experiment("{}", null, null, 1, Instant.parse("2026-01-01T00:00:00Z")));

        int first = experiments.transition(saved.getId(), ExperimentStatus.QUEUED, ExperimentStatus.RUNNING);
        int second = experiments.transition(saved.getId(), ExperimentStatus.QUEUED, ExperimentStatus.RUNNING);

        assertThat(first).isEqualTo(1);
        assertThat(second).isZero();
        assertThat(experiments.findById(saved.getId()).orElseThrow().getStatus()).isEqualTo(ExperimentStatus.RUNNING);
    }

    @Test
    void queuedAreReturnedOldestFirst() {
        Experiment newer = experiments.save(new Experiment("{}", null, null, 1, Instant.parse("2026-01-02T00:00:00Z")));
        Experiment older = experiments.save(new Experiment("{}", null, null, 1, Instant.parse("2026-01-01T00:00:00Z")));

        assertThat(experiments.findByStatusOrderByCreatedAtAscIdAsc(ExperimentStatus.QUEUED))
                .extracting(Experiment::getId)
                .containsSubsequence(older.getId(), newer.getId());
        assertThat(experiments.findByStatus(ExperimentStatus.QUEUED, PageRequest.of(0, 10)).getTotalElements())
                .isGreaterThanOrEqualTo(2);
    }
}
