package io.flatnesslab.web;

import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.info.License;
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
                .license(new License().name("Apache-2.0")));
    }
}
