package io.flatnesslab.snapshot;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.support.GeneratedKeyHolder;
import org.springframework.jdbc.support.KeyHolder;
import org.springframework.stereotype.Service;

/**
 * Store of trained networks as DL4J model files in the {@code parameter_snapshot} table.
 *
 * <p>Writing goes through a temporary file: the model is serialized to disk while its SHA-256
 * is computed, then streamed into the BLOB with a known length. Reading streams the BLOB to the
 * caller. JDBC streams are used because H2 rejects byte arrays over 1 MiB and because a large
 * model must not be held in the heap as a byte array.
 */
@Service
public class SnapshotStore {

    /** Format name of a DL4J {@code ModelSerializer} zip without updater state. */
    public static final String DL4J_FORMAT = "dl4j-model";

    private static final Logger log = LoggerFactory.getLogger(SnapshotStore.class);

    private final JdbcTemplate jdbc;

    private final ParameterSnapshotRepository metadata;

    SnapshotStore(JdbcTemplate jdbc, ParameterSnapshotRepository metadata) {
        this.jdbc = jdbc;
        this.metadata = metadata;
    }

    /** Serializes {@code network} (parameters and configuration, no updater state) and stores it. */
    public SnapshotInfo store(MultiLayerNetwork network) {
        Path file = null;
        try {
            file = Files.createTempFile("flatnesslab-snapshot-", ".zip");
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            try (OutputStream out = new DigestOutputStream(new BufferedOutputStream(Files.newOutputStream(file), 1 << 16),
                    digest)) {
                ModelSerializer.writeModel(network, out, false);
            }

            long size = Files.size(file);
            String sha256 = HexFormat.of().formatHex(digest.digest());
            Instant createdAt = Instant.now();
            long id = insert(file, size, sha256, network.numParams(), createdAt);
            return new SnapshotInfo(id, DL4J_FORMAT, network.numParams(), size, sha256, createdAt);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the parameter snapshot", e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        } finally {
            deleteQuietly(file);
        }
    }

    /** Returns the metadata of a snapshot, without its content. */
    public Optional<SnapshotInfo> find(long id) {
        return metadata.findById(id).map(ParameterSnapshot::toInfo);
    }

    /**
     * Streams the stored model file to {@code out}.
     *
     * @throws SnapshotNotFoundException when no snapshot has that id
     */
    public void copyTo(long id, OutputStream out) {
        Boolean found = jdbc.query("select content from parameter_snapshot where id = ?", rs -> {
            if (!rs.next()) {
                return false;
            }
            try (InputStream in = rs.getBinaryStream(1)) {
                in.transferTo(out);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot stream snapshot " + id, e);
            }
            return true;
        }, id);
        if (!Boolean.TRUE.equals(found)) {
            throw new SnapshotNotFoundException(id);
        }
    }

    /**
     * Loads a stored DL4J model file as a network, streaming it from the BLOB.
     *
     * @throws SnapshotNotFoundException when no snapshot has that id
     */
    public MultiLayerNetwork loadNetwork(long id) {
        Path file = null;
        try {
            file = Files.createTempFile("flatnesslab-load-", ".zip");
            // Through a temporary file: DL4J 1.0.0-M2.1's ModelSerializer rejects a stream whose
            // available() is 0, which H2's file-mode BLOB streams report.
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16)) {
                copyTo(id, out);
            }
            return ModelSerializer.restoreMultiLayerNetwork(file.toFile(), false);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read snapshot " + id, e);
        } finally {
            deleteQuietly(file);
        }
    }

    /** Deletes snapshots; ids that do not exist are ignored. */
    public void delete(List<Long> ids) {
        for (Long id : ids) {
            jdbc.update("delete from parameter_snapshot where id = ?", id);
        }
    }

    private long insert(Path file, long size, String sha256, long parameterCount, Instant createdAt) throws IOException {
        KeyHolder keys = new GeneratedKeyHolder();
        try (InputStream content = Files.newInputStream(file)) {
            jdbc.update(connection -> {
                PreparedStatement statement = connection.prepareStatement(
                        "insert into parameter_snapshot (format, parameter_count, size_bytes, sha256, created_at, content) "
                                + "values (?, ?, ?, ?, ?, ?)",
                        Statement.RETURN_GENERATED_KEYS);
                statement.setString(1, DL4J_FORMAT);
                statement.setLong(2, parameterCount);
                statement.setLong(3, size);
                statement.setString(4, sha256);
                statement.setObject(5, OffsetDateTime.ofInstant(createdAt, ZoneOffset.UTC));
                statement.setBinaryStream(6, content, size);
                return statement;
            }, keys);
        }
        return keys.getKeyAs(Long.class);
    }

    private static void deleteQuietly(Path file) {
        if (file == null) {
            return;
        }
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // A leftover temp file is harmless; the OS temp cleaner removes it.
            log.warn("Cannot delete temporary file {}: {}", file, e.toString());
        }
    }
}
