package io.flatnesslab.snapshot;

import java.util.Optional;

import org.springframework.data.repository.Repository;

interface ParameterSnapshotRepository extends Repository<ParameterSnapshot, Long> {

    Optional<ParameterSnapshot> findById(Long id);
}
