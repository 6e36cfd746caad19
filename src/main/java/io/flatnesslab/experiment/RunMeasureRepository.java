package io.flatnesslab.experiment;

import java.util.List;

import org.springframework.data.jpa.repository.JpaRepository;

interface RunMeasureRepository extends JpaRepository<RunMeasure, Long> {

    List<RunMeasure> findByExperimentIdOrderByGroupKeyAscRunIndexAscVariantAscMeasureAsc(Long experimentId);

    List<RunMeasure> findByExperimentIdAndGroupKeyAndRunIndex(Long experimentId, String groupKey, int runIndex);
}
