package io.flatnesslab.snapshot;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import io.flatnesslab.dataset.DatasetCatalog;
import io.flatnesslab.dataset.DatasetSummary;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.data.domain.Sort;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** Import of safetensors MLPs as stored snapshots, and lookup of imported models. */
@Service
public class ModelService {

    private static final Logger log = LoggerFactory.getLogger(ModelService.class);

    private final ImportedModelRepository models;

    private final SnapshotStore snapshots;

    private final DatasetCatalog datasets;

    private final Clock clock;

    private final long maxParameters;

    ModelService(ImportedModelRepository models, SnapshotStore snapshots, DatasetCatalog datasets, Clock clock,
            @Value("${flatnesslab.experiments.max-parameters:50000000}") long maxParameters) {
        this.models = models;
        this.snapshots = snapshots;
        this.datasets = datasets;
        this.clock = clock;
        this.maxParameters = maxParameters;
    }

    /**
     * Validates a safetensors file, converts it to a float32 DL4J network and stores it.
     *
     * @param content the uploaded file; read once to compute its SHA-256 and copy it to disk
     * @throws SafetensorsFormatException when the file is malformed, not an MLP, has an input
     *     size no dataset provides, or exceeds the parameter budget
     */
    @Transactional
    public ModelInfo importSafetensors(InputStream content, String name) throws IOException {
        Path file = Files.createTempFile("flatnesslab-import-", ".safetensors");
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            try (InputStream in = new DigestInputStream(content, digest)) {
                Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
            }
            long size = Files.size(file);

            SafetensorsReader.SafetensorsModel model = SafetensorsReader.inspect(file);
            MlpLayout layout = model.layout();
            checkInputSize(layout);
            if (layout.parameterCount() > maxParameters) {
                throw new SafetensorsFormatException(String.format("model %s has %,d parameters, above the budget of %,d "
                        + "(flatnesslab.experiments.max-parameters)", layout.describe(), layout.parameterCount(), maxParameters));
            }

            MultiLayerNetwork network = SafetensorsReader.load(file, model);
            SnapshotInfo snapshot = snapshots.store(network);
            network.close();

            String modelName = name == null || name.isBlank() ? layout.describe() : name.strip();
            ImportedModel saved = models.save(new ImportedModel(modelName, layout, model.dtype(), size,
                    HexFormat.of().formatHex(digest.digest()), snapshot.id(), clock.instant()));
            log.info("Model {} imported: {} ({}, {} parameters, {} bytes) as snapshot {}", saved.toInfo().id(), modelName,
                    layout.describe(), layout.parameterCount(), size, snapshot.id());
            return saved.toInfo();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    @Transactional(readOnly = true)
    public ModelInfo get(long id) {
        return models.findById(id).map(ImportedModel::toInfo).orElseThrow(() -> new ModelNotFoundException(id));
    }

    /**
     * Deletes an imported model and its stored parameters. Experiments that measured it keep
     * their results and their own run snapshots.
     *
     * @throws ModelNotFoundException when no model has that id
     */
    @Transactional
    public void delete(long id) {
        ImportedModel model = models.findById(id).orElseThrow(() -> new ModelNotFoundException(id));
        long snapshotId = model.toInfo().snapshotId();
        models.delete(model);
        models.flush();
        snapshots.delete(List.of(snapshotId));
        log.info("Model {} deleted with snapshot {}", id, snapshotId);
    }

    @Transactional(readOnly = true)
    public List<ModelInfo> list() {
        return models.findAll(Sort.by(Sort.Order.desc("id"))).stream().map(ImportedModel::toInfo).toList();
    }

    private void checkInputSize(MlpLayout layout) {
        Set<Integer> inputSizes = new TreeSet<>();
        for (DatasetSummary dataset : datasets.list()) {
            if (dataset.rows() != null) {
                inputSizes.add(dataset.rows() * dataset.columns());
            }
        }
        if (!inputSizes.contains(layout.inputSize())) {
            throw new SafetensorsFormatException("fc1.weight has " + layout.inputSize() + " inputs, but the available "
                    + "datasets have " + inputSizes + " inputs (rows x columns, e.g. 784 for 28x28 digits)");
        }
    }

}
