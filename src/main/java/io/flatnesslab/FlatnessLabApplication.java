package io.flatnesslab;

import java.time.Clock;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.context.annotation.Bean;

/**
 * Entry point of Flatness Lab, the service that trains multilayer perceptrons and measures
 * how flat their minima are.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
public class FlatnessLabApplication {

    /** Clock of all stored timestamps; tests may replace it. */
    @Bean
    Clock clock() {
        return Clock.systemUTC();
    }

    public static void main(String[] args) {
        SpringApplication.run(FlatnessLabApplication.class, args);
    }
}
