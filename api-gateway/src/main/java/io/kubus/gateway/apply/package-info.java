/**
 * Server-side apply's field ownership ({@code metadata.managedFields}) as kube-apiserver keeps it, following
 * sigs.k8s.io/structured-merge-diff and k8s.io/apimachinery's managedfields package. Pure logic, not yet wired into
 * the API handlers.
 *
 * <ul>
 *   <li>{@link io.kubus.gateway.apply.FieldType}: list and map types at each position, from a built-in kind's
 *       PatchSchema ({@link io.kubus.gateway.apply.PatchSchemaFieldTypes}) or a CRD's structural schema
 *       ({@link io.kubus.gateway.apply.StructuralSchemaFieldTypes}).</li>
 *   <li>{@link io.kubus.gateway.apply.FieldSet}: sets of field paths and their fieldsV1 form, byte for byte.</li>
 *   <li>{@link io.kubus.gateway.apply.ObjectFields}: field sets of objects, comparison, merge, removal.</li>
 *   <li>{@link io.kubus.gateway.apply.FieldManager}: update and apply, with
 *       {@link io.kubus.gateway.apply.ApplyConflictException} carrying kube's message, causes and Status.</li>
 * </ul>
 *
 * <p>Where Kubus necessarily differs from kube, documented so callers are not surprised:
 * <ul>
 *   <li>kube compares a create against the kind's Go zero value, where non-pointer structs (a Deployment's spec,
 *       template) and non-omitempty lists (containers: null) already exist, so it records no {@code ".": {}} for
 *       them; Kubus compares against an empty object unless the caller gives the kind's zero object
 *       ({@link io.kubus.gateway.apply.FieldManager#FieldManager(FieldType, FieldSet, java.time.Clock,
 *       com.fasterxml.jackson.databind.JsonNode)}); without it an update that creates such a struct or list also owns
 *       it as itself. Leaf ownership, conflicts and pruning are the same; for custom resources kube behaves as Kubus.</li>
 *   <li>List types of built-in kinds come from their patch tags, with kube's multi-key lists (ports,
 *       topologySpreadConstraints) mapped by hand; see {@link io.kubus.gateway.apply.PatchSchemaFieldTypes}.</li>
 *   <li>A CRD's x-kubernetes-embedded-resource objects are typed by their own schema only (kube adds ObjectMeta).</li>
 *   <li>No version conversion: every entry is compared in the version being written.</li>
 *   <li>The client-side apply annotation (last-applied-configuration) is not reconciled with apply.</li>
 * </ul>
 */
package io.kubus.gateway.apply;
