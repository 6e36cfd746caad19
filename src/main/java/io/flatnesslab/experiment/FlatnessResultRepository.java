package io.flatnesslab.experiment;

import java.util.Collection;
import java.util.List;

import org.springframework.data.jpa.repository.JpaRepository;

interface FlatnessResultRepository extends JpaRepository<FlatnessResult, Long> {

    List<FlatnessResult> findByRunIdInOrderByRunIdAscEpsilonIndexAscDirectionIndexAsc(Collection<Long> runIds);
}
