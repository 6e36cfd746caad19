package io.flatnesslab.dataset;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.io.ClassPathResource;
import org.springframework.stereotype.Service;

/**
 * Catalog of the datasets experiments can use: the embedded {@code mnist-10k} and one dataset
 * per subfolder of the configured directory.
 *
 * <p>A subfolder is recognised by content, not file names: the catalog reads the magic number
 * of each file and needs exactly one images file (2051) and one labels file (2049). When a
 * folder contains the four files of an MNIST-style download, the pair whose names start with
 * {@code train} is used. Loaded datasets are cached until a file's size or modification time
 * changes.
 */
@Service
public class DatasetCatalog {

    /** Name of the dataset shipped inside the application. */
    public static final String EMBEDDED_NAME = "mnist-10k";

    static final Pattern VALID_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    private static final Logger log = LoggerFactory.getLogger(DatasetCatalog.class);

    private static final String EMBEDDED_IMAGES = "datasets/mnist-10k/images-idx3-ubyte.gz";

    private static final String EMBEDDED_LABELS = "datasets/mnist-10k/labels-idx1-ubyte.gz";

    private final Path directory;

    private final Map<String, CachedDataset> cache = new ConcurrentHashMap<>();

    public DatasetCatalog(DatasetProperties properties) {
        this.directory = properties.directory().toAbsolutePath().normalize();
    }

    /** Lists every dataset, the invalid ones with the reason they cannot be read. */
    public List<DatasetSummary> list() {
        List<DatasetSummary> summaries = new ArrayList<>();
        summaries.add(DatasetSummary.of(get(EMBEDDED_NAME)));

        for (Path folder : rejectedFolders()) {
            String name = folder.getFileName().toString();
            String reason = EMBEDDED_NAME.equals(name)
                    ? "the name " + EMBEDDED_NAME + " is reserved for the embedded dataset; rename the folder"
                    : "invalid folder name; a dataset name is 1 to 64 letters, digits, '.', '_' or '-', starting with a "
                            + "letter or digit";
            summaries.add(DatasetSummary.invalid(name, folder.toString(), reason));
        }
        for (Path folder : datasetFolders()) {
            String name = folder.getFileName().toString();
            try {
                summaries.add(DatasetSummary.of(get(name)));
            } catch (DatasetUnavailableException e) {
                summaries.add(DatasetSummary.invalid(name, folder.toString(), e.getMessage()));
            }
        }
        return summaries;
    }

    /** Names of all datasets, valid or not, for error messages. */
    public List<String> names() {
        List<String> names = new ArrayList<>();
        names.add(EMBEDDED_NAME);
        datasetFolders().forEach(folder -> names.add(folder.getFileName().toString()));
        return names;
    }

    /**
     * Loads a dataset by name, from the cache when its files are unchanged.
     *
     * @throws DatasetNotFoundException when no dataset has that name
     * @throws DatasetUnavailableException when the dataset's files are missing or malformed
     */
    public Dataset get(String name) {
        if (EMBEDDED_NAME.equals(name)) {
            return cache.computeIfAbsent(name, key -> new CachedDataset(loadEmbedded(), List.of())).dataset();
        }

        if (name == null || !VALID_NAME.matcher(name).matches()) {
            throw new DatasetNotFoundException(name, names());
        }
        Path folder = directory.resolve(name);
        if (!Files.isDirectory(folder)) {
            throw new DatasetNotFoundException(name, names());
        }

        List<FileStamp> stamps = stamp(folder);
        CachedDataset cached = cache.get(name);
        if (cached != null && cached.stamps().equals(stamps)) {
            return cached.dataset();
        }
        Dataset loaded = loadFolder(name, folder);
        cache.put(name, new CachedDataset(loaded, stamps));
        return loaded;
    }

    private List<Path> datasetFolders() {
        if (!Files.isDirectory(directory)) {
            return List.of();
        }
        try (Stream<Path> children = Files.list(directory)) {
            return children.filter(Files::isDirectory)
                    .filter(path -> VALID_NAME.matcher(path.getFileName().toString()).matches())
                    .filter(path -> !EMBEDDED_NAME.equals(path.getFileName().toString()))
                    .sorted(Comparator.comparing(Path::getFileName))
                    .toList();
        } catch (IOException e) {
            log.warn("Cannot list dataset directory {}: {}", directory, e.toString());
            return List.of();
        }
    }

    private List<Path> rejectedFolders() {
        if (!Files.isDirectory(directory)) {
            return List.of();
        }
        try (Stream<Path> children = Files.list(directory)) {
            return children.filter(Files::isDirectory)
                    .filter(path -> !path.getFileName().toString().startsWith("."))
                    .filter(path -> !VALID_NAME.matcher(path.getFileName().toString()).matches()
                            || EMBEDDED_NAME.equals(path.getFileName().toString()))
                    .sorted(Comparator.comparing(Path::getFileName))
                    .toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    private Dataset loadEmbedded() {
        try (InputStream images = new ClassPathResource(EMBEDDED_IMAGES).getInputStream();
                InputStream labels = new ClassPathResource(EMBEDDED_LABELS).getInputStream()) {
            IdxImages idxImages = IdxReader.readImages(images, "classpath:" + EMBEDDED_IMAGES);
            byte[] idxLabels = IdxReader.readLabels(labels, "classpath:" + EMBEDDED_LABELS);
            return build(EMBEDDED_NAME, "embedded", idxImages, idxLabels, EMBEDDED_LABELS);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the embedded dataset " + EMBEDDED_NAME, e);
        }
    }

    private Dataset loadFolder(String name, Path folder) {
        List<Path> imageFiles = new ArrayList<>();
        List<Path> labelFiles = new ArrayList<>();
        try (Stream<Path> files = Files.list(folder)) {
            for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
                int magic = IdxReader.readMagic(file);
                if (magic == IdxReader.IMAGES_MAGIC) {
                    imageFiles.add(file);
                } else if (magic == IdxReader.LABELS_MAGIC) {
                    labelFiles.add(file);
                }
            }

            Path images = pick(imageFiles, "images", 2051, folder);
            Path labels = pick(labelFiles, "labels", 2049, folder);
            long started = System.nanoTime();
            Dataset dataset = build(name, folder.toString(), IdxReader.readImages(images), IdxReader.readLabels(labels),
                    labels.toString());
            log.info("Loaded dataset {} from {} ({} examples, {}x{} pixels, {} classes) in {} ms", name, folder,
                    dataset.size(), dataset.images().rows(), dataset.images().columns(), dataset.classCount(),
                    (System.nanoTime() - started) / 1_000_000);
            return dataset;
        } catch (IdxFormatException e) {
            throw new DatasetUnavailableException(name, e.getMessage(), e);
        } catch (IOException e) {
            throw new DatasetUnavailableException(name, "cannot read " + folder + ": " + e.getMessage(), e);
        }
    }

    private static Path pick(List<Path> candidates, String kind, int magic, Path folder) {
        if (candidates.size() == 1) {
            return candidates.get(0);
        }
        if (candidates.isEmpty()) {
            throw new IdxFormatException(folder.toString(), "no IDX " + kind + " file (magic " + magic
                    + ") found; put one " + kind + " file, gzipped or not, into the folder");
        }
        List<Path> training = candidates.stream()
                .filter(path -> path.getFileName().toString().startsWith("train"))
                .toList();
        if (training.size() == 1) {
            return training.get(0);
        }
        throw new IdxFormatException(folder.toString(), candidates.size() + " IDX " + kind + " files found "
                + candidates.stream().map(path -> path.getFileName().toString()).toList()
                + "; keep one, or name the one to use train-*");
    }

    private static Dataset build(String name, String source, IdxImages images, byte[] labels, String labelSource) {
        if (images.count() != labels.length) {
            throw new IdxFormatException(labelSource, "contains " + labels.length + " labels but the images file contains "
                    + images.count() + " images; the two files must have the same count");
        }
        int maxLabel = 0;
        for (byte label : labels) {
            maxLabel = Math.max(maxLabel, Byte.toUnsignedInt(label));
        }
        if (maxLabel < 1) {
            throw new IdxFormatException(labelSource, "all labels are 0; a classification dataset needs at least two classes");
        }
        return new Dataset(name, source, images, labels, maxLabel + 1);
    }

    private static List<FileStamp> stamp(Path folder) {
        try (Stream<Path> files = Files.list(folder)) {
            List<FileStamp> stamps = new ArrayList<>();
            for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
                stamps.add(new FileStamp(file, Files.size(file), Files.getLastModifiedTime(file).toMillis()));
            }
            return stamps;
        } catch (IOException e) {
            throw new DatasetUnavailableException(folder.getFileName().toString(),
                    "cannot list " + folder + ": " + e.getMessage(), e);
        }
    }

    private record FileStamp(Path path, long size, long modifiedMillis) {
    }

    private record CachedDataset(Dataset dataset, List<FileStamp> stamps) {
    }
}
