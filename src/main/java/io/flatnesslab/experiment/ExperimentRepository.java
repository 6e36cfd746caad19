package io.flatnesslab.experiment;

import java.util.List;
import java.util.Optional;

import org.springframework.data.domain.Page;
import org.springframework.data.domain.Pageable;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Modifying;
import org.springframework.data.jpa.repository.Query;

interface ExperimentRepository extends JpaRepository<Experiment, Long> {

    Page<Experiment> findByStatus(ExperimentStatus status, Pageable pageable);

    List<Experiment> findByStatusOrderByCreatedAtAscIdAsc(ExperimentStatus status);

    long countByStatus(ExperimentStatus status);

    Optional<Experiment> findByIdempotencyKey(String idempotencyKey);

    /** Moves an experiment from {@code from} to {@code to} only if it is still in {@code from}. */
    @Modifying(clearAutomatically = true, flushAutomatically = true)
    @Query("update Experiment e set e.status = :to where e.id = :id and e.status = :from")
    int transition(Long id, ExperimentStatus from, ExperimentStatus to);
}
