/**
 * Cross-cutting web concerns: RFC 9457 problem responses for every error, and the OpenAPI
 * description behind Swagger UI.
 */
@org.springframework.modulith.ApplicationModule(displayName = "Web")
package io.flatnesslab.web;
