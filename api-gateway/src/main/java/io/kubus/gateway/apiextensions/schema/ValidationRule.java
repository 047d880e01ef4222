package io.kubus.gateway.apiextensions.schema;

import io.micronaut.core.annotation.Nullable;

/**
 * One {@code x-kubernetes-validations} entry (apiextensions' ValidationRule), kept as written: its static rules and
 * its CEL are checked by {@link StructuralChecks}, compiled by {@link CelRules} and evaluated by {@link CelValidator}. Absent strings are
 * empty, as Go leaves them.
 */
public record ValidationRule(String rule, String message, String messageExpression, @Nullable String reason,
                             String fieldPath, @Nullable Boolean optionalOldSelf) {
}
