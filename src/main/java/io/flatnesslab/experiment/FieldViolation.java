package io.flatnesslab.experiment;

/**
 * One invalid field of a request body.
 *
 * @param field path of the field in the JSON body, e.g. {@code groups[1].hiddenLayers[0]}
 * @param message what is wrong and what is accepted
 */
public record FieldViolation(String field, String message) {
}
