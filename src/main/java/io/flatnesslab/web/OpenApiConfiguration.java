package io.flatnesslab.web;

import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.info.License;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class OpenApiConfiguration {

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
                .components(new Components().addSecuritySchemes("apiKey", new SecurityScheme()
                        .type(SecurityScheme.Type.APIKEY)
                        .in(SecurityScheme.In.HEADER)
                        .name(ApiKeyFilter.HEADER)
                        .description("Needed by POST and DELETE requests when the service sets flatnesslab.web.api-key")))
                .addSecurityItem(new SecurityRequirement().addList("apiKey"));
    }
}
