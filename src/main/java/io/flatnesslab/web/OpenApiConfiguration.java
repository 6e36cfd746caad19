package io.flatnesslab.web;

import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.info.License;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class OpenApiConfiguration {

    private static final String API_KEY_SCHEME = "apiKey";

    @Bean
    OpenAPI flatnessLabOpenApi() {
        return new OpenAPI().info(new Info()
                .title("Flatness Lab API")
                .version("0.1.0")
                .description("Trains multilayer perceptrons with DL4J and measures how much their training loss rises "
                        + "under random parameter perturbations of norm ε. POST {} to /api/experiments to run the "
                        + "classic over-parameterized versus small versus random-label experiment on MNIST.")
                .license(new License().name("Apache-2.0")))
                // Lets Swagger UI's Authorize button send the optional key; without a configured
                // key the service ignores the header.
                .components(new Components().addSecuritySchemes(API_KEY_SCHEME, new SecurityScheme()
                        .type(SecurityScheme.Type.APIKEY)
                        .in(SecurityScheme.In.HEADER)
                        .name(ApiKeyFilter.HEADER)
                        .description("Needed by POST, PUT, PATCH and DELETE requests under /api/ when the service sets "
                                + "flatnesslab.web.api-key, and by GET requests too with flatnesslab.web.protect-reads")));
    }

    /**
     * Marks every operation that changes data as needing the API key, and adds the 401 of the
     * key check and the 413 of the JSON size check to their responses. Filters send those, so
     * no controller declares them.
     */
    @Bean
    OpenApiCustomizer guardResponses() {
        return openApi -> openApi.getPaths().values().forEach(path -> path.readOperationsMap().forEach((method, operation) -> {
            if (method == PathItem.HttpMethod.GET || method == PathItem.HttpMethod.HEAD) {
                return;
            }
            operation.addSecurityItem(new SecurityRequirement().addList(API_KEY_SCHEME));
            operation.getResponses().addApiResponse("401", problem("Missing or wrong X-API-Key, when the service "
                    + "requires a key"));
            boolean json = operation.getRequestBody() != null && operation.getRequestBody().getContent() != null
                    && operation.getRequestBody().getContent().containsKey("application/json");
            if (json) {
                operation.getResponses().addApiResponse("413", problem("JSON body larger than "
                        + "flatnesslab.web.max-json-size"));
            }
        }));
    }

    private static ApiResponse problem(String description) {
        return new ApiResponse().description(description)
                .content(new Content().addMediaType("application/problem+json", new MediaType()));
    }
}
