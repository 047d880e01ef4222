package io.kubus.gateway.apiextensions.schema;

import io.micronaut.core.annotation.Nullable;

/**
 * One {@code x-kubernetes-validations} entry (apiextensions' ValidationRule), kept as written: its CEL is compiled and
 * evaluated by a later piece; here only its static rules are checked ({@link StructuralChecks}). Absent strings are
 * empty, as Go leaves them.
 */
public record ValidationRule(String rule, String message, String messageExpression, @Nullable String reason,
                             String fieldPath, @Nullable Boolean optionalOldSelf) {
}
