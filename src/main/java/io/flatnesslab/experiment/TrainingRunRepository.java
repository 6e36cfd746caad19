package io.flatnesslab.experiment;

import java.util.List;
import java.util.Optional;

import org.springframework.data.jpa.repository.JpaRepository;

interface TrainingRunRepository extends JpaRepository<TrainingRun, Long> {

    List<TrainingRun> findByExperimentIdOrderByIdAsc(Long experimentId);

    Optional<TrainingRun> findByIdAndExperimentId(Long id, Long experimentId);
}
