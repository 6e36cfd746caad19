package io.flatnesslab.dataset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetCatalogTests {

    @TempDir
    Path directory;

    @Test
    void embeddedDatasetIsListedWithoutDirectory() {
        DatasetCatalog catalog = new DatasetCatalog(new DatasetProperties(directory.resolve("missing")));

        List<DatasetSummary> listed = catalog.list();

        assertThat(listed).hasSize(1);
        assertThat(listed.get(0).name()).isEqualTo("mnist-10k");
        assertThat(listed.get(0).size()).isEqualTo(10_000);
        assertThat(listed.get(0).classes()).isEqualTo(10);
        assertThat(listed.get(0).status()).isEqualTo("AVAILABLE");
    }

    @Test
    void folderDatasetIsFoundByMagicNotName() {
        IdxTestFiles.write(directory.resolve("tiny/a.bin"), IdxTestFiles.gzip(IdxTestFiles.patternedImages(12, 3, 4)));
        IdxTestFiles.write(directory.resolve("tiny/b.bin"), IdxTestFiles.cyclicLabels(12, 3));
        IdxTestFiles.write(directory.resolve("tiny/README.txt"), "notes".getBytes());
        DatasetCatalog catalog = new DatasetCatalog(new DatasetProperties(directory));

        Dataset tiny = catalog.get("tiny");

        assertThat(tiny.size()).isEqualTo(12);
        assertThat(tiny.inputSize()).isEqualTo(12);
        assertThat(tiny.classCount()).isEqualTo(3);
        assertThat(catalog.list()).extracting(DatasetSummary::name).containsExactly("mnist-10k", "tiny");
    }

    @Test
    void selectScalesPixelsToUnitInterval() {
        byte[] pixels = {0, (byte) 255, (byte) 128, 51};
        IdxTestFiles.write(directory.resolve("px/images"), IdxTestFiles.images(2, 1, 2, pixels));
        IdxTestFiles.write(directory.resolve("px/labels"), IdxTestFiles.labels(new byte[] {1, 0}));
        Dataset dataset = new DatasetCatalog(new DatasetProperties(directory)).get("px");

        LabeledData selected = dataset.select(new int[] {1, 0});

        assertThat(selected.features()).containsExactly(128 / 255f, 51 / 255f, 0f, 1f);
        assertThat(selected.labels()).containsExactly(0, 1);
    }

    @Test
    void mnistDownloadFolderUsesTrainingPair() {
        IdxTestFiles.write(directory.resolve("mnist/train-images-idx3-ubyte"), IdxTestFiles.patternedImages(20, 2, 2));
        IdxTestFiles.write(directory.resolve("mnist/train-labels-idx1-ubyte"), IdxTestFiles.cyclicLabels(20, 10));
        IdxTestFiles.write(directory.resolve("mnist/t10k-images-idx3-ubyte"), IdxTestFiles.patternedImages(5, 2, 2));
        IdxTestFiles.write(directory.resolve("mnist/t10k-labels-idx1-ubyte"), IdxTestFiles.cyclicLabels(5, 10));

        Dataset dataset = new DatasetCatalog(new DatasetProperties(directory)).get("mnist");

        assertThat(dataset.size()).isEqualTo(20);
    }

    @Test
    void countMismatchIsListedAsInvalid() {
        IdxTestFiles.write(directory.resolve("broken/images.gz"), IdxTestFiles.gzip(IdxTestFiles.patternedImages(10, 2, 2)));
        IdxTestFiles.write(directory.resolve("broken/labels.gz"), IdxTestFiles.gzip(IdxTestFiles.cyclicLabels(9, 2)));
        DatasetCatalog catalog = new DatasetCatalog(new DatasetProperties(directory));

        DatasetSummary broken = catalog.list().get(1);

        assertThat(broken.name()).isEqualTo("broken");
        assertThat(broken.status()).isEqualTo("INVALID");
        assertThat(broken.error()).contains("labels.gz").contains("9 labels").contains("10 images");
        assertThatThrownBy(() -> catalog.get("broken")).isInstanceOf(DatasetUnavailableException.class);
    }

    @Test
    void badFolderNamesAreListedAsInvalid() {
        IdxTestFiles.write(directory.resolve("we ird/images"), IdxTestFiles.patternedImages(3, 2, 2));
        IdxTestFiles.write(directory.resolve("mnist-10k/images"), IdxTestFiles.patternedImages(3, 2, 2));
        IdxTestFiles.write(directory.resolve(".hidden/images"), IdxTestFiles.patternedImages(3, 2, 2));

        List<DatasetSummary> listed = new DatasetCatalog(new DatasetProperties(directory)).list();

        assertThat(listed).extracting(DatasetSummary::name).containsExactly("mnist-10k", "mnist-10k", "we ird");
        assertThat(listed.get(1).status()).isEqualTo("INVALID");
        assertThat(listed.get(1).error()).contains("reserved for the embedded dataset");
        assertThat(listed.get(2).status()).isEqualTo("INVALID");
        assertThat(listed.get(2).error()).contains("invalid folder name");
    }

    @Test
    void folderWithoutLabelsIsInvalid() {
        IdxTestFiles.write(directory.resolve("half/images"), IdxTestFiles.patternedImages(3, 2, 2));

        assertThatThrownBy(() -> new DatasetCatalog(new DatasetProperties(directory)).get("half"))
                .isInstanceOf(DatasetUnavailableException.class)
                .hasMessageContaining("no IDX labels file");
    }

    @Test
    void unknownNameListsAvailableDatasets() {
        DatasetCatalog catalog = new DatasetCatalog(new DatasetProperties(directory));

        assertThatThrownBy(() -> catalog.get("cifar"))
                .isInstanceOf(DatasetNotFoundException.class)
                .hasMessageContaining("unknown dataset 'cifar'")
                .hasMessageContaining("mnist-10k");
        assertThatThrownBy(() -> catalog.get("../etc"))
                .isInstanceOf(DatasetNotFoundException.class);
    }

    @Test
    void changedFilesAreReloaded() throws Exception {
        Path images = IdxTestFiles.write(directory.resolve("grow/images"), IdxTestFiles.patternedImages(4, 2, 2));
        Path labels = IdxTestFiles.write(directory.resolve("grow/labels"), IdxTestFiles.cyclicLabels(4, 2));
        DatasetCatalog catalog = new DatasetCatalog(new DatasetProperties(directory));
        assertThat(catalog.get("grow").size()).isEqualTo(4);

        IdxTestFiles.write(images, IdxTestFiles.patternedImages(6, 2, 2));
        IdxTestFiles.write(labels, IdxTestFiles.cyclicLabels(6, 2));

        assertThat(catalog.get("grow").size()).isEqualTo(6);
    }
}
