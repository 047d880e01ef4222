package io.kubus.gateway.registry;

import io.micronaut.core.annotation.Nullable;

import java.time.Instant;

/**
 * What a delete request asks for, as the registry sees it.
 *
 * @param propagationPolicy  Background, Foreground or Orphan; null when the request names none
 * @param gracePeriodSeconds the caller's grace period; null when none was given
 * @param now                the time of the request, for deletionTimestamp
 */
public record DeleteIntent(@Nullable String propagationPolicy, @Nullable Long gracePeriodSeconds, Instant now) {
}
