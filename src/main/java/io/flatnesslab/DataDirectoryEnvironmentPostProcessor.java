package io.flatnesslab;

import java.nio.file.Path;
import java.util.Map;

import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Resolver of a relative {@code flatnesslab.data-directory} against the working directory.
 * H2 rejects a relative database path that does not start with {@code ./} ("implicitly
 * relative"), which made {@code --flatnesslab.data-directory=my-data} fail at start with a long
 * stack trace; an absolute path works for H2 and for the snapshot files alike.
 */
class DataDirectoryEnvironmentPostProcessor implements EnvironmentPostProcessor, Ordered {

    static final String PROPERTY = "flatnesslab.data-directory";

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        String directory = environment.getProperty(PROPERTY);
        if (directory == null || directory.isBlank() || Path.of(directory).isAbsolute()) {
            return;
        }
        String absolute = Path.of(directory).toAbsolutePath().normalize().toString();
        environment.getPropertySources().addFirst(new MapPropertySource("flatnesslab-absolute-data-directory",
                Map.of(PROPERTY, absolute)));
    }

    /** Runs after the configuration files and arguments are loaded, so it reads the final value. */
    @Override
    public int getOrder() {
        return Ordered.LOWEST_PRECEDENCE;
    }
}
