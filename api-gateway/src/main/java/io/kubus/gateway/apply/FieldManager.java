package io.kubus.gateway.apply;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Clock;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Field ownership for one kind, as kube-apiserver's field manager keeps it in {@code metadata.managedFields}: an update
 * (create, update, patch) makes its manager own what it changed and takes those fields from everyone else; an apply
 * merges a configuration, refuses to change fields other managers own unless forced, and removes the fields its
 * manager applied before and no longer applies when nobody else owns them.
 *
 * <p>It follows kube's manager chain (skip-non-applied, cap-managers, build-manager-info, managed-fields-updater,
 * strip-meta, structured-merge) without version conversion: every entry is compared in the object's own version,
 * which is exact while a kind has one served version. The last-applied-configuration annotation interplay of
 * client-side apply is not modelled.
 */
public final class FieldManager {

    /** kube's DefaultMaxUpdateManagers: older Update entries are merged into "ancient-changes" buckets. */
    public static final int MAX_UPDATE_MANAGERS = 10;

    static final String BEFORE_FIRST_APPLY = "before-first-apply";
    static final String ANCIENT_CHANGES = "ancient-changes";

    /** Fields no entry ever holds (kube's stripMetaManager); a member of metadata does not strip what is below it. */
    static final FieldSet STRIPPED = FieldSet.of(FieldSet.path("apiVersion"), FieldSet.path("kind"),
            FieldSet.path("metadata"), FieldSet.path("metadata", "name"), FieldSet.path("metadata", "namespace"),
            FieldSet.path("metadata", "creationTimestamp"), FieldSet.path("metadata", "selfLink"),
            FieldSet.path("metadata", "uid"), FieldSet.path("metadata", "clusterName"),
            FieldSet.path("metadata", "generation"), FieldSet.path("metadata", "managedFields"),
            FieldSet.path("metadata", "resourceVersion"));

    private static final DateTimeFormatter RFC3339 = DateTimeFormatter.ISO_INSTANT;

    private final FieldType type;
    private final FieldSet resetFields;
    private final Clock clock;
    private final JsonNode zeroObject;

    /**
     * @param type        the kind's field types
     * @param resetFields fields this endpoint resets and so nobody may own through it (kube's ResetFieldsStrategy,
     *                    e.g. {@code .status} on a main resource with a status subresource); empty for none
     * @param clock       the time written into entries
     */
    public FieldManager(FieldType type, FieldSet resetFields, Clock clock) {
        this(type, resetFields, clock, null);
    }

    /**
     * @param zeroObject what a new object of the kind looks like before anything is set, as Go serializes a zero
     *                   value (e.g. {@code {"metadata":{"creationTimestamp":null},"spec":{"template":{...}},"status":{}}});
     *                   a create and the before-first-apply entry are compared against it, which is what keeps kube
     *                   from recording {@code ".": {}} for structs that always exist. Null for an empty object, which
     *                   is exact for custom resources.
     */
    public FieldManager(FieldType type, FieldSet resetFields, Clock clock, JsonNode zeroObject) {
        this.type = Objects.requireNonNull(type);
        this.resetFields = resetFields == null ? FieldSet.EMPTY : resetFields;
        this.clock = Objects.requireNonNull(clock);
        this.zeroObject = zeroObject == null ? JsonNodeFactory.instance.objectNode() : zeroObject.deepCopy();
    }

    private ObjectNode zero() {
        return ((ObjectNode) zeroObject).deepCopy();
    }

    /** The object to store and its managedFields (also written into the object's metadata). */
    public record Result(ObjectNode object, List<ManagedFieldsEntry> managedFields) {
    }

    // ---- update ----

    /**
     * Records a non-apply write. {@code liveOld} is null on create. As kube does, managedFields the request itself
     * carries replace the live ones (an empty list resets them), except through a subresource; an existing object that
     * has no managedFields is not tracked until its first apply.
     */
    public Result update(JsonNode liveOld, JsonNode liveNew, String manager, String apiVersion, String subresource) {
        ObjectNode newObj = ((ObjectNode) liveNew).deepCopy();
        String sub = subresource == null ? "" : subresource;
        Map<String, ManagedFieldsEntry> managed = decodeLiveOrNew(liveOld, newObj, !sub.isEmpty());
        stripManagedFields(newObj);
        ObjectNode old = liveOld == null ? null : stripManagedFields(((ObjectNode) liveOld).deepCopy());
        boolean existing = old != null && !old.path("metadata").path("uid").asText("").isEmpty();
        if (!(managed.isEmpty() && existing)) {
            trackedUpdate(old, newObj, managed, manager, apiVersion, sub);
        }
        List<ManagedFieldsEntry> entries = new ArrayList<>(managed.values());
        ManagedFieldsEntry.write(newObj, entries);
        return new Result(newObj, sorted(entries));
    }

    private static Map<String, ManagedFieldsEntry> decodeLiveOrNew(JsonNode liveOld, ObjectNode newObj, boolean subresource) {
        if (subresource) {
            return decodeOrEmpty(liveOld);
        }
        JsonNode sent = newObj.path("metadata").get("managedFields");
        if (sent != null && sent.isArray() && (sent.isEmpty() || (sent.size() == 1 && sent.get(0).isEmpty()))) {
            return new LinkedHashMap<>(); // the client resets ownership
        }
        try {
            Map<String, ManagedFieldsEntry> m = decode(newObj);
            if (!m.isEmpty()) {
                return m;
            }
        } catch (IllegalArgumentException e) {
            // unreadable managedFields in a request fall back to the live ones, as kube does
        }
        return decodeOrEmpty(liveOld);
    }

    private static Map<String, ManagedFieldsEntry> decodeOrEmpty(JsonNode obj) {
        try {
            return decode(obj);
        } catch (IllegalArgumentException e) {
            return new LinkedHashMap<>();
        }
    }

    private static Map<String, ManagedFieldsEntry> decode(JsonNode obj) {
        Map<String, ManagedFieldsEntry> m = new LinkedHashMap<>();
        for (ManagedFieldsEntry e : ManagedFieldsEntry.read(obj)) {
            m.put(e.identifier(), e);
        }
        return m;
    }

    /** Everything below the skip-non-applied layer of kube's chain for an update. */
    private void trackedUpdate(JsonNode old, JsonNode newObj, Map<String, ManagedFieldsEntry> managed, String manager,
                               String apiVersion, String subresource) {
        ManagedFieldsEntry self = new ManagedFieldsEntry(manager == null || manager.isEmpty() ? "unknown" : manager,
                ManagedFieldsEntry.UPDATE, apiVersion, null, FieldSet.EMPTY, subresource);
        reconcileWithTypes(managed);
        ObjectFields.Comparison cmp = comparison(old, newObj);
        FieldSet changed = cmp.modified().union(cmp.added());
        // every current owner loses what this write changed or removed ("current-operation" is nobody's entry)
        for (Map.Entry<String, ManagedFieldsEntry> e : new ArrayList<>(managed.entrySet())) {
            FieldSet left = e.getValue().fields().difference(changed).difference(cmp.removed());
            putOrDrop(managed, e.getKey(), e.getValue().withFields(left));
        }
        FieldSet taken = changed.recursiveDifference(resetFields).difference(STRIPPED);
        if (!taken.isEmpty()) {
            ManagedFieldsEntry previous = managed.get(self.identifier());
            FieldSet fields = previous == null ? taken : taken.union(previous.fields());
            managed.put(self.identifier(), self.withFields(fields).withTime(now()));
        }
        capUpdateManagers(managed);
    }

    /** Every entry's set with the kind's current list and map types (a CRD's schema may have changed since). */
    private void reconcileWithTypes(Map<String, ManagedFieldsEntry> managed) {
        managed.replaceAll((id, e) -> e.withFields(ObjectFields.reconcileWithTypes(e.fields(), type)));
    }

    private ObjectFields.Comparison comparison(JsonNode old, JsonNode newObj) {
        ObjectFields.Comparison c = ObjectFields.compare(old == null ? zero() : old, newObj, type);
        return new ObjectFields.Comparison(c.added().recursiveDifference(resetFields),
                c.modified().recursiveDifference(resetFields), c.removed().recursiveDifference(resetFields));
    }

    // ---- apply ----

    /** {@link #apply(JsonNode, JsonNode, String, String, boolean, String)} on the main resource. */
    public Result apply(JsonNode live, JsonNode applied, String manager, String apiVersion, boolean force) {
        return apply(live, applied, manager, apiVersion, force, "");
    }

    /**
     * Merges an applied configuration into the live object (null on create) for {@code manager}. Throws
     * {@link ApplyConflictException} when, without force, the apply would change a field another manager owns;
     * with force those fields move to the applier. The caller checks apiVersion/kind and name beforehand.
     */
    public Result apply(JsonNode live, JsonNode applied, String manager, String apiVersion, boolean force,
                        String subresource) {
        if (applied == null || !applied.isObject()) {
            throw new IllegalArgumentException("the applied configuration must be an object");
        }
        JsonNode sentManaged = applied.path("metadata").get("managedFields");
        if (sentManaged != null && !sentManaged.isNull()) {
            throw new IllegalArgumentException("metadata.managedFields must be nil");
        }
        String sub = subresource == null ? "" : subresource;
        ObjectNode liveObj = live == null ? JsonNodeFactory.instance.objectNode() : ((ObjectNode) live).deepCopy();
        Map<String, ManagedFieldsEntry> managed;
        try {
            managed = decode(liveObj);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("failed to decode managed fields: " + e.getMessage(), e);
        }
        stripManagedFields(liveObj);
        if (managed.isEmpty()) {
            // fields set before any apply are owned by one updater, so the first applier conflicts with them
            trackedUpdate(zero(), liveObj, managed, BEFORE_FIRST_APPLY, apiVersion, sub);
        }

        ManagedFieldsEntry self = new ManagedFieldsEntry(manager == null || manager.isEmpty() ? "unknown" : manager,
                ManagedFieldsEntry.APPLY, apiVersion, null, FieldSet.EMPTY, sub);
        String id = self.identifier();
        reconcileWithTypes(managed);
        ManagedFieldsEntry last = managed.get(id);
        JsonNode merged = ObjectFields.merge(liveObj, applied, type);
        FieldSet appliedSet = ObjectFields.toFieldSet(applied, type).recursiveDifference(resetFields);
        managed.put(id, self.withFields(appliedSet).withTime(last == null ? null : last.time()));
        if (last != null && !last.fields().isEmpty()) {
            merged = prune(merged, managed, last.fields());
        }

        ObjectFields.Comparison cmp = comparison(liveObj, merged);
        FieldSet changed = cmp.modified().union(cmp.added());
        List<ApplyConflictException.Conflict> conflicts = new ArrayList<>();
        Map<String, FieldSet> conflicting = new HashMap<>();
        managed.entrySet().stream().filter(e -> !e.getKey().equals(id))
                .sorted(Map.Entry.comparingByKey(JsonValues::compareStrings))
                .forEach(e -> {
                    FieldSet c = e.getValue().fields().intersection(changed);
                    if (!c.isEmpty()) {
                        conflicting.put(e.getKey(), c);
                        c.paths().forEach(p -> conflicts.add(new ApplyConflictException.Conflict(e.getValue(), p)));
                    }
                });
        if (!force && !conflicts.isEmpty()) {
            throw new ApplyConflictException(conflicts);
        }
        for (Map.Entry<String, ManagedFieldsEntry> e : new ArrayList<>(managed.entrySet())) {
            if (e.getKey().equals(id)) {
                continue;
            }
            FieldSet left = e.getValue().fields().difference(conflicting.getOrDefault(e.getKey(), FieldSet.EMPTY))
                    .difference(cmp.removed());
            putOrDrop(managed, e.getKey(), e.getValue().withFields(left));
        }
        ManagedFieldsEntry mine = managed.get(id);
        putOrDrop(managed, id, mine.withFields(mine.fields().difference(STRIPPED)));

        ObjectNode result;
        if (JsonValues.equal(liveObj, merged)) {
            result = liveObj; // nothing changed: the applier's time stays as it was
        } else {
            result = (ObjectNode) merged;
            ManagedFieldsEntry m = managed.get(id);
            if (m != null) {
                managed.put(id, m.withTime(now()));
            }
        }
        List<ManagedFieldsEntry> entries = new ArrayList<>(managed.values());
        ManagedFieldsEntry.write(result, entries);
        return new Result(result, sorted(entries));
    }

    /**
     * Removes what the applier applied last time and no longer does, unless some manager (the applier's new set
     * included) owns it; struct fields count as owned when anything below them is.
     */
    private JsonNode prune(JsonNode merged, Map<String, ManagedFieldsEntry> managed, FieldSet lastSet) {
        FieldSet last = ObjectFields.ensureNamedFieldsAreMembers(lastSet, type);
        FieldSet owned = FieldSet.EMPTY;
        for (ManagedFieldsEntry e : managed.values()) {
            owned = owned.union(e.fields());
        }
        owned = ObjectFields.ensureNamedFieldsAreMembers(owned, type);
        FieldSet mergedSet = ObjectFields.ensureNamedFieldsAreMembers(ObjectFields.toFieldSet(merged, type), type);
        JsonNode pruned = ObjectFields.removeItems(merged, last, type);
        FieldSet prunedSet = ObjectFields.ensureNamedFieldsAreMembers(ObjectFields.toFieldSet(pruned, type), type);
        // add back what anyone owns
        pruned = ObjectFields.removeItems(merged, mergedSet.difference(prunedSet.union(owned)), type);
        prunedSet = ObjectFields.ensureNamedFieldsAreMembers(ObjectFields.toFieldSet(pruned, type), type);
        // and what the applier never had (unowned fields, defaults): only its own former fields go
        return ObjectFields.removeItems(merged, mergedSet.difference(prunedSet).intersection(last), type);
    }

    // ---- shared ----

    private static void putOrDrop(Map<String, ManagedFieldsEntry> managed, String id, ManagedFieldsEntry e) {
        if (e.fields().isEmpty()) {
            managed.remove(id);
        } else {
            managed.put(id, e);
        }
    }

    /** Merges the oldest Update entries into per-version "ancient-changes" entries beyond {@link #MAX_UPDATE_MANAGERS}. */
    static void capUpdateManagers(Map<String, ManagedFieldsEntry> managed) {
        List<Map.Entry<String, ManagedFieldsEntry>> updaters = new ArrayList<>(managed.entrySet().stream()
                .filter(e -> !e.getValue().isApply()).toList());
        if (updaters.size() <= MAX_UPDATE_MANAGERS) {
            return;
        }
        updaters.sort(Comparator.<Map.Entry<String, ManagedFieldsEntry>, String>comparing(
                        e -> e.getValue().time() == null ? "" : e.getValue().time())
                .thenComparing(Map.Entry::getKey, JsonValues::compareStrings));
        Map<String, String> firstOfVersion = new HashMap<>();
        int length = updaters.size();
        for (int i = 0; i < updaters.size() && length > MAX_UPDATE_MANAGERS; i++) {
            ManagedFieldsEntry e = updaters.get(i).getValue();
            String version = e.apiVersion();
            ManagedFieldsEntry bucket = new ManagedFieldsEntry(ANCIENT_CHANGES, ManagedFieldsEntry.UPDATE, version,
                    null, FieldSet.EMPTY, "");
            String first = firstOfVersion.get(version);
            if (first == null) {
                firstOfVersion.put(version, updaters.get(i).getKey());
                continue;
            }
            ManagedFieldsEntry existing = managed.get(bucket.identifier());
            if (existing == null) {
                existing = bucket.withFields(managed.remove(first).fields());
            }
            managed.remove(updaters.get(i).getKey());
            managed.put(bucket.identifier(), existing.withFields(e.fields().union(existing.fields())).withTime(e.time()));
            length--;
        }
    }

    private static ObjectNode stripManagedFields(ObjectNode obj) {
        if (obj.get("metadata") instanceof ObjectNode m) {
            m.remove("managedFields");
        }
        return obj;
    }

    private static List<ManagedFieldsEntry> sorted(List<ManagedFieldsEntry> entries) {
        return entries.stream().sorted(ManagedFieldsEntry.ORDER).toList();
    }

    private String now() {
        return RFC3339.format(clock.instant().truncatedTo(ChronoUnit.SECONDS));
    }
}
