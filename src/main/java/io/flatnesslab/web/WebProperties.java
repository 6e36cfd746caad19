package io.flatnesslab.web;

import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * Access and size guards of the HTTP API.
 *
 * @param apiKey key that every request changing data (POST, PUT, PATCH, DELETE under /api/) must
 *     carry in the {@code X-API-Key} header; unset or blank turns the check off. Set it with the
 *     environment variable {@code FLATNESSLAB_WEB_API_KEY} to keep it out of files
 * @param protectReads whether GET requests under /api/ need the key too
 * @param maxJsonSize largest JSON request body; larger ones get 413. File uploads are bounded
 *     by {@code spring.servlet.multipart.max-file-size} instead
 */
@ConfigurationProperties("flatnesslab.web")
@Validated
public record WebProperties(
        String apiKey,
        @DefaultValue("false") boolean protectReads,
        @NotNull @DefaultValue("1MB") DataSize maxJsonSize) {

    boolean apiKeyEnabled() {
        return apiKey != null && !apiKey.isBlank();
    }
}
