package io.flatnesslab;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.modulith.core.ApplicationModule;
import org.springframework.modulith.core.ApplicationModules;

/** The feature packages are application modules whose dependencies follow their declarations. */
class ModularityTests {

    private final ApplicationModules modules = ApplicationModules.of(FlatnessLabApplication.class);

    @Test
    void modulesRespectDeclaredDependencies() {
        modules.verify();
    }

    @Test
    void everyFeaturePackageIsAModule() {
        assertThat(modules.stream().map(ApplicationModule::getIdentifier).map(Object::toString))
                .containsExactlyInAnyOrder("chart", "dataset", "experiment", "flatness", "job", "snapshot",
                        "training", "web");
    }
}
