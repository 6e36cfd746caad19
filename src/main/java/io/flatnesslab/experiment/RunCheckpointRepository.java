package io.flatnesslab.experiment;

import java.util.List;
import java.util.Optional;

import org.springframework.data.jpa.repository.JpaRepository;

interface RunCheckpointRepository extends JpaRepository<RunCheckpoint, Long> {

    Optional<RunCheckpoint> findByExperimentIdAndGroupKeyAndRunIndex(Long experimentId, String groupKey, int runIndex);

    List<RunCheckpoint> findByExperimentId(Long experimentId);
}
