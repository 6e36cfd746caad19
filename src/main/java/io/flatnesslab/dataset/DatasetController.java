package io.flatnesslab.dataset;

import java.util.List;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/datasets")
@Tag(name = "Datasets")
class DatasetController {

    private final DatasetCatalog catalog;

    DatasetController(DatasetCatalog catalog) {
        this.catalog = catalog;
    }

    @GetMapping
    @Operation(summary = "List the datasets experiments can use",
            description = "The embedded mnist-10k plus one dataset per subfolder of flatnesslab.datasets.directory. "
                    + "A folder whose files cannot be read is listed as INVALID with the reason.")
    List<DatasetSummary> list() {
        return catalog.list();
    }
}
