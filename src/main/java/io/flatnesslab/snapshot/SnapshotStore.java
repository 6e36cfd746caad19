package io.flatnesslab.snapshot;

import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.zip.Deflater;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.support.GeneratedKeyHolder;
import org.springframework.jdbc.support.KeyHolder;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Store of trained networks as DL4J model files in the snapshot directory, with their metadata
 * (size, SHA-256, file name) in the {@code parameter_snapshot} table.
 *
 * <p>The files live outside H2 because H2 2.4 does not reuse the space of deleted BLOBs while the
 * database is open: every deleted snapshot would stay in the database file until a restart. A
 * file is written under a temporary name, flushed to disk, renamed, and only then referenced by
 * a row, so a committed row always points to a complete file. Rows insert and delete inside the
 * caller's transaction, and the file follows the outcome: a rolled-back insert removes its file,
 * a delete removes the file only after commit. At start the store removes files that no row
 * references (left by a crash between rename and commit) and moves BLOBs of rows written by
 * older versions into files.
 */
@Service
public class SnapshotStore implements InitializingBean {

    /** Format name of a DL4J {@code ModelSerializer} zip without updater state. */
    public static final String DL4J_FORMAT = "dl4j-model";

    private static final String SUFFIX = ".zip";

    private static final String TEMPORARY_SUFFIX = ".tmp";

    private static final LocalDateTime ENTRY_TIME = LocalDateTime.of(2000, 1, 1, 0, 0);

    private static final Logger log = LoggerFactory.getLogger(SnapshotStore.class);

    private final JdbcTemplate jdbc;

    private final ParameterSnapshotRepository metadata;

    private final Path directory;

    SnapshotStore(JdbcTemplate jdbc, ParameterSnapshotRepository metadata, SnapshotProperties properties) {
        this.jdbc = jdbc;
        this.metadata = metadata;
        this.directory = properties.directory().toAbsolutePath().normalize();
    }

    @Override
    public void afterPropertiesSet() throws IOException {
        Files.createDirectories(directory);
        moveBlobsToFiles();
        removeUnreferencedFiles();
    }

    /** Serializes {@code network} (parameters and configuration, no updater state) and stores it. */
    public SnapshotInfo store(MultiLayerNetwork network) {
        Path temporary = directory.resolve(UUID.randomUUID() + TEMPORARY_SUFFIX);
        Path file = null;
        try {
            String sha256 = writeDurably(temporary, out -> writeModel(network, out));
            file = moveIntoPlace(temporary);
            long size = Files.size(file);

            Instant createdAt = Instant.now();
            long id = insert(file.getFileName().toString(), size, sha256, network.numParams(), createdAt);
            removeOnRollback(file);
            return new SnapshotInfo(id, DL4J_FORMAT, network.numParams(), size, sha256, createdAt);
        } catch (IOException e) {
            deleteQuietly(file);
            throw new UncheckedIOException("cannot write the parameter snapshot to " + directory, e);
        } catch (RuntimeException e) {
            deleteQuietly(file);
            throw e;
        } finally {
            deleteQuietly(temporary);
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
        String fileName = fileName(id);
        try {
            if (fileName != null) {
                Files.copy(directory.resolve(fileName), out);
            } else {
                copyBlobTo(id, out);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read snapshot " + id, e);
        }
    }

    /**
     * Loads a stored DL4J model file as a network.
     *
     * @throws SnapshotNotFoundException when no snapshot has that id
     */
    public MultiLayerNetwork loadNetwork(long id) {
        String fileName = fileName(id);
        try {
            if (fileName != null) {
                return ModelSerializer.restoreMultiLayerNetwork(directory.resolve(fileName).toFile(), false);
            }
            // Through a temporary file: DL4J 1.0.0-M2.1's ModelSerializer rejects a stream whose
            // available() is 0, which H2's file-mode BLOB streams report.
            Path file = Files.createTempFile("flatnesslab-load-", SUFFIX);
            try {
                try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16)) {
                    copyBlobTo(id, out);
                }
                return ModelSerializer.restoreMultiLayerNetwork(file.toFile(), false);
            } finally {
                deleteQuietly(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read snapshot " + id, e);
        }
    }

    /**
     * Deletes snapshots; ids that do not exist are ignored. The files go when the surrounding
     * transaction commits, or at once without a transaction.
     */
    public void delete(List<Long> ids) {
        for (Long id : ids) {
            String fileName = jdbc.query("select file_name from parameter_snapshot where id = ?",
                    rs -> rs.next() ? rs.getString(1) : null, id);
            jdbc.update("delete from parameter_snapshot where id = ?", id);
            if (fileName != null) {
                removeAfterCommit(directory.resolve(fileName));
            }
        }
    }

    /** Folder of the snapshot files. */
    public Path directory() {
        return directory;
    }

    /** Returns the bytes that snapshot files take in the snapshot directory. */
    public long bytesOnDisk() {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory, "*" + SUFFIX)) {
            long total = 0;
            for (Path file : files) {
                total += Files.size(file);
            }
            return total;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + directory, e);
        }
    }

    private String fileName(long id) {
        List<String> found = jdbc.query("select file_name from parameter_snapshot where id = ?",
                (rs, row) -> rs.getString(1), id);
        if (found.isEmpty()) {
            throw new SnapshotNotFoundException(id);
        }
        return found.get(0);
    }

    private void copyBlobTo(long id, OutputStream out) {
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
     * Writes a DL4J model file as {@code ModelSerializer.writeModel(network, out, false)} does
     * (a zip of configuration.json and coefficients.bin), but with fixed entry times, so that
     * identical parameters give identical bytes and the same SHA-256. ModelSerializer stamps
     * each entry with the current time. Deflate's fastest level is used: float32 parameters
     * shrink by only about 8 % at the default level, which costs seconds of CPU per snapshot.
     */
    private static void writeModel(MultiLayerNetwork network, OutputStream out) throws IOException {
        ZipOutputStream zip = new ZipOutputStream(out);
        zip.setLevel(Deflater.BEST_SPEED);

        zip.putNextEntry(entry("configuration.json"));
        zip.write(network.getLayerWiseConfigurations().toJson().getBytes(StandardCharsets.UTF_8));
        zip.closeEntry();

        zip.putNextEntry(entry("coefficients.bin"));
        DataOutputStream coefficients = new DataOutputStream(zip);
        Nd4j.write(network.params(), coefficients);
        coefficients.flush();
        zip.closeEntry();

        zip.finish();
    }

    private static ZipEntry entry(String name) {
        ZipEntry entry = new ZipEntry(name);
        entry.setTimeLocal(ENTRY_TIME);
        return entry;
    }

    /** Writes a file, forces it to disk and returns its hex SHA-256. */
    private static String writeDurably(Path file, ContentWriter writer) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }

        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            OutputStream out = new DigestOutputStream(new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16),
                    digest);
            writer.write(out);
            out.flush();
            channel.force(true);
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private Path moveIntoPlace(Path temporary) throws IOException {
        Path file = directory.resolve(temporary.getFileName().toString().replace(TEMPORARY_SUFFIX, SUFFIX));
        try {
            return Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            return Files.move(temporary, file);
        }
    }

    private long insert(String fileName, long size, String sha256, long parameterCount, Instant createdAt) {
        KeyHolder keys = new GeneratedKeyHolder();
        jdbc.update(connection -> {
            PreparedStatement statement = connection.prepareStatement(
                    "insert into parameter_snapshot (format, parameter_count, size_bytes, sha256, created_at, file_name) "
                            + "values (?, ?, ?, ?, ?, ?)",
                    Statement.RETURN_GENERATED_KEYS);
            statement.setString(1, DL4J_FORMAT);
            statement.setLong(2, parameterCount);
            statement.setLong(3, size);
            statement.setString(4, sha256);
            statement.setObject(5, OffsetDateTime.ofInstant(createdAt, ZoneOffset.UTC));
            statement.setString(6, fileName);
            return statement;
        }, keys);
        return keys.getKeyAs(Long.class);
    }

    private static void removeOnRollback(Path file) {
        if (!TransactionSynchronizationManager.isSynchronizationActive()) {
            return;
        }
        TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
            @Override
            public void afterCompletion(int status) {
                if (status != STATUS_COMMITTED) {
                    deleteQuietly(file);
                }
            }
        });
    }

    private static void removeAfterCommit(Path file) {
        if (!TransactionSynchronizationManager.isSynchronizationActive()) {
            deleteQuietly(file);
            return;
        }
        TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
            @Override
            public void afterCommit() {
                deleteQuietly(file);
            }
        });
    }

    /** Moves the content of rows written before snapshots were files into files. */
    private void moveBlobsToFiles() throws IOException {
        List<Long> ids = jdbc.queryForList("select id from parameter_snapshot where file_name is null order by id",
                Long.class);
        for (long id : ids) {
            String expected = jdbc.queryForObject("select sha256 from parameter_snapshot where id = ?", String.class, id);
            Path temporary = directory.resolve(UUID.randomUUID() + TEMPORARY_SUFFIX);
            try {
                String sha256 = writeDurably(temporary, out -> copyBlobTo(id, out));
                if (!sha256.equals(expected)) {
                    log.error("Snapshot {} keeps its BLOB: its content has SHA-256 {} but {} was recorded", id, sha256,
                            expected);
                    continue;
                }
                Path file = moveIntoPlace(temporary);
                jdbc.update("update parameter_snapshot set file_name = ?, content = null where id = ?",
                        file.getFileName().toString(), id);
                log.info("Snapshot {} moved from the database into {}", id, file);
            } finally {
                deleteQuietly(temporary);
            }
        }
    }

    private void removeUnreferencedFiles() throws IOException {
        Set<String> referenced = new HashSet<>(jdbc.queryForList(
                "select file_name from parameter_snapshot where file_name is not null", String.class));
        int removed = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory)) {
            for (Path file : files) {
                String name = file.getFileName().toString();
                boolean ours = name.endsWith(SUFFIX) || name.endsWith(TEMPORARY_SUFFIX);
                if (ours && !referenced.contains(name) && Files.isRegularFile(file)) {
                    Files.delete(file);
                    removed++;
                }
            }
        }
        if (removed > 0) {
            log.warn("Removed {} snapshot files in {} that no stored snapshot references (left by a crash)", removed,
                    directory);
        }
    }

    private static void deleteQuietly(Path file) {
        if (file == null) {
            return;
        }
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // A leftover file is removed at the next start, because no row references it.
            log.warn("Cannot delete file {}: {}", file, e.toString());
        }
    }

    @FunctionalInterface
    private interface ContentWriter {

        void write(OutputStream out) throws IOException;
    }
}
