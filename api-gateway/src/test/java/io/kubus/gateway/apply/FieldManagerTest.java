package io.kubus.gateway.apply;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubus.gateway.patch.PatchSchema;
import io.kubus.gateway.patch.PatchSchemas;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import static io.kubus.gateway.apply.FieldSet.path;
import static io.kubus.gateway.apply.FieldSetTest.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FieldManagerTest {

    static final FieldType DEPLOYMENT = PatchSchemaFieldTypes.of(
            PatchSchemas.object(PatchSchemas.DEPLOYMENT_SPEC, PatchSchemas.CONDITIONS_STATUS));
    static final FieldType CONFIG_MAP = PatchSchemaFieldTypes.of(PatchSchemas.METADATA_ONLY);

    static Clock at(String instant) {
        return Clock.fixed(Instant.parse(instant), ZoneOffset.UTC);
    }

    static final FieldManager DEPLOYMENTS = new FieldManager(DEPLOYMENT, FieldSet.EMPTY, at("2026-12-07T01:00:00Z"));
    static final FieldManager CONFIG_MAPS = new FieldManager(CONFIG_MAP, FieldSet.EMPTY, at("2026-12-07T01:00:00Z"));

    static String deployment(int replicas, String image) {
        return """
                {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"nginx","labels":{"app":"nginx"}},
                 "spec":{"replicas":%d,"selector":{"matchLabels":{"app":"nginx"}},
                  "template":{"metadata":{"labels":{"app":"nginx"}},
                   "spec":{"containers":[{"name":"nginx","image":"%s","ports":[{"containerPort":80}]}]}}}}
                """.formatted(replicas, image);
    }

    static JsonNode configMap(String data) {
        return json("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"cm\",\"uid\":\"u1\"},\"data\":" + data + "}");
    }

    static ManagedFieldsEntry entry(FieldManager.Result r, String manager, String operation) {
        return r.managedFields().stream().filter(e -> e.manager().equals(manager) && e.operation().equals(operation))
                .findFirst().orElse(null);
    }

    static JsonNode data(FieldManager.Result r) {
        return r.object().get("data");
    }

    // ---- apply: created objects and their managedFields ----

    @Test
    void serverSideApplyCreateRecordsTheApplierAsKubeDoes() {
        FieldManager.Result r = DEPLOYMENTS.apply(null, json(deployment(3, "nginx:1.27")), "kubectl", "apps/v1", false);
        assertEquals(1, r.managedFields().size());
        JsonNode mf = r.object().at("/metadata/managedFields/0");
        assertEquals("kubectl", mf.get("manager").asText());
        assertEquals("Apply", mf.get("operation").asText());
        assertEquals("apps/v1", mf.get("apiVersion").asText());
        assertEquals("2026-12-07T01:00:00Z", mf.get("time").asText());
        assertEquals("FieldsV1", mf.get("fieldsType").asText());
        assertEquals(List.of("manager", "operation", "apiVersion", "time", "fieldsType", "fieldsV1"),
                iterate(mf.fieldNames()));
        // kube's own bytes, the port keyed by containerPort and the defaulted protocol
        assertEquals(FieldSetTest.KUBE_APPLY_DEPLOYMENT, FieldSet.fromFieldsV1(mf.get("fieldsV1")).toFieldsV1String());
        assertEquals(3, r.object().at("/spec/replicas").asInt());
    }

    static List<String> iterate(java.util.Iterator<String> it) {
        List<String> out = new java.util.ArrayList<>();
        it.forEachRemaining(out::add);
        return out;
    }

    @Test
    void controllerStatusUpdateOwnsExactlyWhatKubeRecords() {
        ObjectNode live = (ObjectNode) DEPLOYMENTS.apply(null, json(deployment(3, "nginx")), "kubectl", "apps/v1", false).object();
        ((ObjectNode) live.get("metadata")).put("uid", "u1");
        live.putObject("status");
        ObjectNode updated = live.deepCopy();
        ((ObjectNode) updated.get("metadata")).putObject("annotations").put("deployment.kubernetes.io/revision", "1");
        updated.set("status", json("""
                {"availableReplicas":3,"observedGeneration":1,"readyReplicas":3,"replicas":3,"updatedReplicas":3,
                 "conditions":[
                  {"type":"Available","status":"True","lastTransitionTime":"t","lastUpdateTime":"t","message":"m","reason":"r"},
                  {"type":"Progressing","status":"True","lastTransitionTime":"t","lastUpdateTime":"t","message":"m","reason":"r"}]}
                """));
        FieldManager.Result r = DEPLOYMENTS.update(live, updated, "kube-controller-manager", "apps/v1", "status");
        ManagedFieldsEntry e = entry(r, "kube-controller-manager", "Update");
        assertEquals(FieldSetTest.KUBE_CONTROLLER_STATUS, e.fields().toFieldsV1String());
        assertEquals("status", e.subresource());
        assertEquals(List.of("Apply", "Update"), r.managedFields().stream().map(ManagedFieldsEntry::operation).toList());
        assertEquals("status", r.object().at("/metadata/managedFields/1/subresource").asText());
    }

    /** A zero apps/v1 Deployment as Go serializes it: non-pointer structs and non-omitempty fields are present. */
    static final JsonNode DEPLOYMENT_ZERO = json("""
            {"metadata":{"creationTimestamp":null},"spec":{"selector":null,"template":{"metadata":{"creationTimestamp":null},
             "spec":{"containers":null}},"strategy":{}},"status":{}}""");

    @Test
    void kubectlCreateIsRecordedExactlyAsKubeDoesGivenTheZeroObject() {
        JsonNode stored = json("""
                {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"nginx","namespace":"default",
                  "creationTimestamp":"2026-12-07T01:00:00Z","generation":1,"labels":{"app":"nginx"}},
                 "spec":{"replicas":1,"selector":{"matchLabels":{"app":"nginx"}},
                  "template":{"metadata":{"creationTimestamp":null,"labels":{"app":"nginx"}},
                   "spec":{"containers":[{"name":"nginx","image":"nginx","resources":{},
                     "terminationMessagePath":"/dev/termination-log","terminationMessagePolicy":"File","imagePullPolicy":"Always"}],
                    "restartPolicy":"Always","terminationGracePeriodSeconds":30,"dnsPolicy":"ClusterFirst",
                    "securityContext":{},"schedulerName":"default-scheduler"}},
                  "strategy":{"type":"RollingUpdate","rollingUpdate":{"maxUnavailable":"25%","maxSurge":"25%"}},
                  "revisionHistoryLimit":10,"progressDeadlineSeconds":600},
                 "status":{}}""");
        FieldManager fm = new FieldManager(DEPLOYMENT, FieldSet.EMPTY, at("2026-12-07T01:00:00Z"), DEPLOYMENT_ZERO);
        FieldManager.Result r = fm.update(null, stored, "kubectl-create", "apps/v1", "");
        assertEquals("{\"f:metadata\":{\"f:labels\":{\".\":{},\"f:app\":{}}},\"f:spec\":{\"f:progressDeadlineSeconds\":{},"
                + "\"f:replicas\":{},\"f:revisionHistoryLimit\":{},\"f:selector\":{},\"f:strategy\":{\"f:rollingUpdate\":"
                + "{\".\":{},\"f:maxSurge\":{},\"f:maxUnavailable\":{}},\"f:type\":{}},\"f:template\":{\"f:metadata\":"
                + "{\"f:labels\":{\".\":{},\"f:app\":{}}},\"f:spec\":{\"f:containers\":{\"k:{\\\"name\\\":\\\"nginx\\\"}\":"
                + "{\".\":{},\"f:image\":{},\"f:imagePullPolicy\":{},\"f:name\":{},\"f:resources\":{},"
                + "\"f:terminationMessagePath\":{},\"f:terminationMessagePolicy\":{}}},\"f:dnsPolicy\":{},"
                + "\"f:restartPolicy\":{},\"f:schedulerName\":{},\"f:securityContext\":{},"
                + "\"f:terminationGracePeriodSeconds\":{}}}}}", r.managedFields().getFirst().fields().toFieldsV1String());
        // without the zero object the structs that always exist are owned as themselves too
        FieldSet plain = DEPLOYMENTS.update(null, stored, "kubectl-create", "apps/v1", "").managedFields().getFirst().fields();
        assertTrue(plain.has(path("spec")));
        assertFalse(r.managedFields().getFirst().fields().has(path("spec")));
    }

    // ---- conflicts ----

    @Test
    void applyingAFieldAnUpdaterSetConflictsWithKubesMessageAndCauses() {
        FieldManager.Result created = DEPLOYMENTS.update(null, json(deployment(3, "nginx")), "kubectl-client-side-apply",
                "apps/v1", "");
        ApplyConflictException e = assertThrows(ApplyConflictException.class,
                () -> DEPLOYMENTS.apply(created.object(), json(deployment(5, "nginx")), "kubectl", "apps/v1", false));
        assertEquals("Apply failed with 1 conflict: conflict with \"kubectl-client-side-apply\" using apps/v1: .spec.replicas",
                e.getMessage());
        assertEquals(List.of(new ApplyConflictException.Cause("FieldManagerConflict",
                "conflict with \"kubectl-client-side-apply\" using apps/v1", ".spec.replicas")), e.causes());
    }

    @Test
    void aManagerThatCreatedWithAnUpdateConflictsWithItselfWhenApplying() {
        // kube keys managers by name and operation: a client that creates, then applies, meets its own Update entry
        FieldManager.Result created = CONFIG_MAPS.update(null, configMap("{\"a\":\"1\"}"), "test", "v1", "");
        ApplyConflictException e = assertThrows(ApplyConflictException.class,
                () -> CONFIG_MAPS.apply(created.object(), configMap("{\"a\":\"2\"}"), "test", "v1", false));
        assertEquals("Apply failed with 1 conflict: conflict with \"test\" using v1: .data.a", e.getMessage());
    }

    @Test
    void theConflictStatusIsKubes() {
        FieldManager.Result r = CONFIG_MAPS.update(null, configMap("{\"a\":\"1\"}"), "m1", "v1", "");
        ApplyConflictException e = assertThrows(ApplyConflictException.class,
                () -> CONFIG_MAPS.apply(r.object(), configMap("{\"a\":\"2\"}"), "m2", "v1", false));
        assertEquals(json("""
                {"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",
                 "message":"Apply failed with 1 conflict: conflict with \\"m1\\" using v1: .data.a","reason":"Conflict",
                 "details":{"causes":[{"reason":"FieldManagerConflict","message":"conflict with \\"m1\\" using v1","field":".data.a"}]},
                 "code":409}"""), e.toStatus());
    }

    @Test
    void severalConflictsAreGroupedBySortedManager() {
        FieldManager.Result r = CONFIG_MAPS.update(null, configMap("{\"a\":\"1\",\"b\":\"1\"}"), "m1", "v1", "");
        ApplyConflictException one = assertThrows(ApplyConflictException.class,
                () -> CONFIG_MAPS.apply(r.object(), configMap("{\"a\":\"2\",\"b\":\"2\"}"), "m2", "v1", false));
        assertEquals("Apply failed with 2 conflicts: conflicts with \"m1\" using v1:\n- .data.a\n- .data.b", one.getMessage());

        FieldManager.Result r2 = CONFIG_MAPS.apply(r.object(), configMap("{\"c\":\"1\"}"), "m0", "v1", false);
        ApplyConflictException two = assertThrows(ApplyConflictException.class,
                () -> CONFIG_MAPS.apply(r2.object(), configMap("{\"a\":\"2\",\"c\":\"2\"}"), "m3", "v1", false));
        assertEquals("Apply failed with 2 conflicts: conflicts with \"m0\":\n- .data.c\nconflicts with \"m1\" using v1:\n- .data.a",
                two.getMessage());
        assertEquals(List.of(".data.c", ".data.a"), two.causes().stream().map(ApplyConflictException.Cause::field).toList());
        assertEquals("conflict with \"m0\"", two.causes().getFirst().message());
    }

    @Test
    void applyingTheSameValueSharesOwnershipWithoutConflict() {
        FieldManager.Result r = CONFIG_MAPS.update(null, configMap("{\"a\":\"1\"}"), "m1", "v1", "");
        FieldManager.Result applied = CONFIG_MAPS.apply(r.object(), configMap("{\"a\":\"1\"}"), "m2", "v1", false);
        assertTrue(entry(applied, "m1", "Update").fields().has(path("data", "a")));
        assertTrue(entry(applied, "m2", "Apply").fields().has(path("data", "a")));
    }

    @Test
    void forceMovesConflictingFieldsToTheApplierAndDropsEmptiedManagers() {
        FieldManager.Result r = CONFIG_MAPS.update(null, configMap("{\"a\":\"1\"}"), "m1", "v1", "");
        FieldManager.Result forced = CONFIG_MAPS.apply(r.object(), configMap("{\"a\":\"2\"}"), "m2", "v1", true);
        assertEquals("2", data(forced).get("a").asText());
        // m1 created the data map, so it keeps owning the map itself (written {} once nothing below is left)
        assertEquals("{\"f:data\":{}}", entry(forced, "m1", "Update").fields().toFieldsV1String());
        assertEquals("{\"f:data\":{\"f:a\":{}}}", entry(forced, "m2", "Apply").fields().toFieldsV1String());
    }

    @Test
    void managersLeftWithNothingAreDropped() {
        FieldManager.Result r = CONFIG_MAPS.update(null, configMap("{\"a\":\"1\"}"), "m1", "v1", "");
        ObjectNode changed = r.object().deepCopy();
        ((ObjectNode) changed.get("data")).put("b", "1");
        r = CONFIG_MAPS.update(r.object(), changed, "m2", "v1", "");
        FieldManager.Result forced = CONFIG_MAPS.apply(r.object(), configMap("{\"b\":\"2\"}"), "m3", "v1", true);
        assertNull(entry(forced, "m2", "Update"), "m2 owned only b");
        assertEquals("{\"f:data\":{\".\":{},\"f:a\":{}}}", entry(forced, "m1", "Update").fields().toFieldsV1String());
    }

    @Test
    void subresourceManagersAreNamedWithTheirSubresource() {
        ManagedFieldsEntry e = new ManagedFieldsEntry("m", "Update", "v1", null, FieldSet.EMPTY, "status");
        assertEquals("\"m\" with subresource \"status\" using v1", e.printable());
        assertEquals("\"m\"", new ManagedFieldsEntry("m", "Apply", "v1", null, FieldSet.EMPTY, "").printable());
        assertEquals("{\"manager\":\"m\",\"operation\":\"Update\",\"apiVersion\":\"v1\",\"subresource\":\"status\"}",
                e.identifier());
    }

    // ---- updates ----

    @Test
    void anUpdateTakesWhatItChangedFromEveryOtherManager() {
        FieldManager.Result r = CONFIG_MAPS.apply(null, configMap("{\"a\":\"1\",\"b\":\"1\"}"), "applier", "v1", false);
        ObjectNode changed = r.object().deepCopy();
        ((ObjectNode) changed.get("data")).put("a", "2");
        ((ObjectNode) changed.get("data")).remove("b");
        FieldManager later = new FieldManager(CONFIG_MAP, FieldSet.EMPTY, at("2026-12-07T02:00:00Z"));
        FieldManager.Result u = later.update(r.object(), changed, "editor", "v1", "");
        assertNull(entry(u, "applier", "Apply"), "the applier lost a to the editor and b to its removal");
        ManagedFieldsEntry editor = entry(u, "editor", "Update");
        assertEquals("{\"f:data\":{\"f:a\":{}}}", editor.fields().toFieldsV1String());
        assertEquals("2026-12-07T02:00:00Z", editor.time());
    }

    @Test
    void anUpdatersSetsAccumulatePerApiVersion() {
        FieldManager.Result r = CONFIG_MAPS.update(null, configMap("{\"a\":\"1\"}"), "m", "v1", "");
        ObjectNode next = r.object().deepCopy();
        ((ObjectNode) next.get("data")).put("b", "1");
        FieldManager.Result u = CONFIG_MAPS.update(r.object(), next, "m", "v1", "");
        assertEquals(1, u.managedFields().size());
        assertEquals("{\"f:data\":{\".\":{},\"f:a\":{},\"f:b\":{}}}", u.managedFields().getFirst().fields().toFieldsV1String());
        ObjectNode third = u.object().deepCopy();
        ((ObjectNode) third.get("data")).put("c", "1");
        FieldManager.Result v = CONFIG_MAPS.update(u.object(), third, "m", "v2", "");
        assertEquals(2, v.managedFields().size(), "an updater has one entry per apiVersion");
    }

    @Test
    void anUpdateThatChangesNothingRecordsNothing() {
        FieldManager.Result r = CONFIG_MAPS.update(null, configMap("{\"a\":\"1\"}"), "m", "v1", "");
        FieldManager.Result u = CONFIG_MAPS.update(r.object(), r.object(), "other", "v1", "");
        assertEquals(List.of("m"), u.managedFields().stream().map(ManagedFieldsEntry::manager).toList());
    }

    @Test
    void existingObjectsWithoutManagedFieldsAreNotTrackedUntilApplied() {
        JsonNode old = configMap("{\"a\":\"1\"}");
        FieldManager.Result u = CONFIG_MAPS.update(old, configMap("{\"a\":\"2\"}"), "m", "v1", "");
        assertTrue(u.managedFields().isEmpty());
        assertTrue(u.object().at("/metadata/managedFields").isMissingNode());
    }

    @Test
    void anEmptyManagedFieldsListInTheRequestResetsOwnership() {
        FieldManager.Result r = CONFIG_MAPS.update(null, configMap("{\"a\":\"1\"}"), "m", "v1", "");
        ObjectNode reset = r.object().deepCopy();
        ((ObjectNode) reset.get("metadata")).putArray("managedFields");
        FieldManager.Result u = CONFIG_MAPS.update(r.object(), reset, "m2", "v1", "");
        assertTrue(u.managedFields().isEmpty());
        // without the reset the live entries are kept
        ObjectNode plain = r.object().deepCopy();
        ((ObjectNode) plain.get("metadata")).remove("managedFields");
        assertEquals(1, CONFIG_MAPS.update(r.object(), plain, "m2", "v1", "").managedFields().size());
    }

    @Test
    void unreadableManagedFieldsInARequestFallBackToTheLiveOnes() {
        FieldManager.Result r = CONFIG_MAPS.update(null, configMap("{\"a\":\"1\"}"), "m", "v1", "");
        ObjectNode bad = r.object().deepCopy();
        ((ObjectNode) bad.get("metadata")).putArray("managedFields").addObject().put("manager", "x").put("operation", "Patch");
        FieldManager.Result u = CONFIG_MAPS.update(r.object(), bad, "m2", "v1", "");
        assertEquals(List.of("m"), u.managedFields().stream().map(ManagedFieldsEntry::manager).toList());
        assertEquals("m", u.object().at("/metadata/managedFields/0/manager").asText());
    }

    @Test
    void decodingRefusesWhatKubeRefuses() {
        assertEquals("operation must be `Apply` or `Update`", assertThrows(IllegalArgumentException.class,
                () -> ManagedFieldsEntry.fromJson(json("{\"operation\":\"Patch\",\"apiVersion\":\"v1\",\"fieldsType\":\"FieldsV1\"}"), 0))
                .getMessage());
        assertEquals("apiVersion must not be empty", assertThrows(IllegalArgumentException.class,
                () -> ManagedFieldsEntry.fromJson(json("{\"operation\":\"Apply\",\"fieldsType\":\"FieldsV1\"}"), 0)).getMessage());
        assertEquals("missing fieldsType in managed fields entry 2", assertThrows(IllegalArgumentException.class,
                () -> ManagedFieldsEntry.fromJson(json("{\"operation\":\"Apply\",\"apiVersion\":\"v1\"}"), 2)).getMessage());
        assertEquals("invalid fieldsType \"FieldsV2\" in managed fields entry 0", assertThrows(IllegalArgumentException.class,
                () -> ManagedFieldsEntry.fromJson(json("{\"operation\":\"Apply\",\"apiVersion\":\"v1\",\"fieldsType\":\"FieldsV2\"}"), 0))
                .getMessage());
    }

    @Test
    void entriesAreWrittenInKubesOrder() {
        ManagedFieldsEntry u1 = new ManagedFieldsEntry("b", "Update", "v1", "2026-01-01T00:00:02Z", FieldSet.of(path("x")), "");
        ManagedFieldsEntry u0 = new ManagedFieldsEntry("z", "Update", "v1", "2026-01-01T00:00:01Z", FieldSet.of(path("x")), "");
        ManagedFieldsEntry a = new ManagedFieldsEntry("y", "Apply", "v1", "2026-01-01T00:00:09Z", FieldSet.of(path("x")), "");
        ObjectNode obj = (ObjectNode) json("{\"metadata\":{}}");
        ManagedFieldsEntry.write(obj, List.of(u1, u0, a));
        assertEquals(List.of("y", "z", "b"), ManagedFieldsEntry.read(obj).stream().map(ManagedFieldsEntry::manager).toList());
    }

    @Test
    void theFirstApplyToAnUntrackedObjectConflictsWithBeforeFirstApply() {
        JsonNode untracked = json(deployment(3, "nginx"));
        ApplyConflictException e = assertThrows(ApplyConflictException.class,
                () -> DEPLOYMENTS.apply(untracked, json(deployment(4, "nginx")), "kubectl", "apps/v1", false));
        assertEquals("Apply failed with 1 conflict: conflict with \"before-first-apply\" using apps/v1: .spec.replicas",
                e.getMessage());
        FieldManager.Result r = DEPLOYMENTS.apply(untracked, json(deployment(3, "nginx")), "kubectl", "apps/v1", false);
        assertTrue(entry(r, "before-first-apply", "Update").fields().has(path("spec", "replicas")));
    }

    @Test
    void moreThanTenUpdatersAreFoldedIntoAncientChanges() {
        JsonNode obj = CONFIG_MAPS.update(null, configMap("{}"), "creator", "v1", "").object();
        for (int i = 0; i < 11; i++) {
            ObjectNode next = obj.deepCopy();
            ((ObjectNode) next.get("data")).put("k" + i, "v");
            FieldManager fm = new FieldManager(CONFIG_MAP, FieldSet.EMPTY, at("2026-12-07T01:00:%02dZ".formatted(i)));
            obj = fm.update(obj, next, "u" + i, "v1", "").object();
        }
        List<ManagedFieldsEntry> entries = ManagedFieldsEntry.read(obj);
        assertEquals(10, entries.size());
        ManagedFieldsEntry ancient = entries.stream().filter(e -> e.manager().equals("ancient-changes")).findFirst().orElseThrow();
        assertTrue(ancient.fields().has(path("data", "k0")));
        assertTrue(ancient.fields().has(path("data", "k1")));
        assertFalse(entries.stream().anyMatch(e -> e.manager().equals("u0") || e.manager().equals("u1")));
    }

    // ---- applies: replacing and pruning ----

    @Test
    void fieldsAnApplierStopsApplyingAreRemovedUnlessSomeoneElseOwnsThem() {
        FieldManager.Result r = CONFIG_MAPS.apply(null, configMap("{\"a\":\"1\",\"b\":\"1\",\"c\":\"1\"}"), "m1", "v1", false);
        r = CONFIG_MAPS.apply(r.object(), configMap("{\"c\":\"1\"}"), "m2", "v1", false);
        FieldManager.Result next = CONFIG_MAPS.apply(r.object(), configMap("{\"a\":\"1\"}"), "m1", "v1", false);
        assertEquals(json("{\"a\":\"1\",\"c\":\"1\"}"), data(next), "b is gone, c is kept for m2");
        assertEquals("{\"f:data\":{\"f:a\":{}}}", entry(next, "m1", "Apply").fields().toFieldsV1String());
        assertEquals("{\"f:data\":{\"f:c\":{}}}", entry(next, "m2", "Apply").fields().toFieldsV1String());
    }

    @Test
    void applyingNothingOfAStructRemovesIt() {
        FieldManager.Result r = DEPLOYMENTS.apply(null, json(deployment(3, "nginx")), "kubectl", "apps/v1", false);
        ObjectNode withStrategy = (ObjectNode) json(deployment(3, "nginx"));
        ((ObjectNode) withStrategy.get("spec")).set("strategy", json("{\"type\":\"Recreate\"}"));
        r = DEPLOYMENTS.apply(r.object(), withStrategy, "kubectl", "apps/v1", false);
        assertEquals("Recreate", r.object().at("/spec/strategy/type").asText());
        FieldManager.Result without = DEPLOYMENTS.apply(r.object(), json(deployment(3, "nginx")), "kubectl", "apps/v1", false);
        assertTrue(without.object().at("/spec/strategy").isMissingNode());
        assertEquals("nginx", without.object().at("/metadata/name").asText(), "stripped fields are never pruned");
    }

    @Test
    void unownedFieldsSurviveTheApplierDroppingItsOwn() {
        FieldManager.Result r = DEPLOYMENTS.apply(null, json(deployment(3, "nginx")), "kubectl", "apps/v1", false);
        ObjectNode defaulted = r.object().deepCopy();
        ((ObjectNode) defaulted.get("spec")).put("revisionHistoryLimit", 10); // as defaulting leaves it, owned by nobody
        ObjectNode config = (ObjectNode) json(deployment(3, "nginx"));
        ((ObjectNode) config.get("spec")).remove("replicas");
        FieldManager.Result next = DEPLOYMENTS.apply(defaulted, config, "kubectl", "apps/v1", false);
        assertTrue(next.object().at("/spec/replicas").isMissingNode());
        assertEquals(10, next.object().at("/spec/revisionHistoryLimit").asInt());
    }

    @Test
    void anApplierHasOneEntryWhateverVersionItAppliesWith() {
        FieldManager.Result r = CONFIG_MAPS.apply(null, configMap("{\"a\":\"1\"}"), "m", "v1", false);
        FieldManager.Result again = CONFIG_MAPS.apply(r.object(), configMap("{\"b\":\"1\"}"), "m", "v2", false);
        assertEquals(1, again.managedFields().size());
        assertEquals("v2", again.managedFields().getFirst().apiVersion());
        assertEquals("{\"f:data\":{\"f:b\":{}}}", again.managedFields().getFirst().fields().toFieldsV1String());
        assertEquals(json("{\"b\":\"1\"}"), data(again));
    }

    @Test
    void aNoOpApplyKeepsTheApplierTime() {
        FieldManager.Result r = CONFIG_MAPS.apply(null, configMap("{\"a\":\"1\"}"), "m", "v1", false);
        FieldManager later = new FieldManager(CONFIG_MAP, FieldSet.EMPTY, at("2026-12-08T00:00:00Z"));
        assertEquals("2026-12-07T01:00:00Z",
                later.apply(r.object(), configMap("{\"a\":\"1\"}"), "m", "v1", false).managedFields().getFirst().time());
        assertEquals("2026-12-08T00:00:00Z",
                later.apply(r.object(), configMap("{\"a\":\"2\"}"), "m", "v1", false).managedFields().getFirst().time());
    }

    @Test
    void anAppliedConfigurationMayNotCarryManagedFields() {
        ObjectNode config = (ObjectNode) configMap("{}");
        ((ObjectNode) config.get("metadata")).putArray("managedFields");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CONFIG_MAPS.apply(null, config, "m", "v1", false));
        assertEquals("metadata.managedFields must be nil", e.getMessage());
    }

    @Test
    void resetFieldsAreNeverOwned() {
        FieldManager fm = new FieldManager(DEPLOYMENT, FieldSet.of(path("status")), at("2026-12-07T01:00:00Z"));
        ObjectNode config = (ObjectNode) json(deployment(1, "nginx"));
        config.set("status", json("{\"replicas\":1}"));
        FieldManager.Result r = fm.apply(null, config, "kubectl", "apps/v1", false);
        assertFalse(entry(r, "kubectl", "Apply").fields().toFieldsV1String().contains("status"));
    }

    // ---- list types ----

    @Test
    void setListsMergeByValueAndEachApplierOwnsItsItems() {
        FieldManager.Result r = CONFIG_MAPS.apply(null, json("{\"metadata\":{\"name\":\"cm\",\"finalizers\":[\"a\"]}}"), "m1", "v1", false);
        r = CONFIG_MAPS.apply(r.object(), json("{\"metadata\":{\"name\":\"cm\",\"finalizers\":[\"b\"]}}"), "m2", "v1", false);
        assertEquals(json("[\"a\",\"b\"]"), r.object().at("/metadata/finalizers"));
        assertEquals("{\"f:metadata\":{\"f:finalizers\":{\"v:\\\"a\\\"\":{}}}}", entry(r, "m1", "Apply").fields().toFieldsV1String());
        FieldManager.Result dropped = CONFIG_MAPS.apply(r.object(), json("{\"metadata\":{\"name\":\"cm\"}}"), "m1", "v1", false);
        assertEquals(json("[\"b\"]"), dropped.object().at("/metadata/finalizers"));
        assertNull(entry(dropped, "m1", "Apply"));
    }

    static String pod(String containers) {
        return "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"d\"},"
                + "\"spec\":{\"template\":{\"spec\":{\"containers\":" + containers + "}}}}";
    }

    @Test
    void mapListItemsAreOwnedByKeyAndMergeKeepingBothAppliers() {
        FieldManager.Result r = DEPLOYMENTS.apply(null, json(pod("[{\"name\":\"app\",\"image\":\"a:1\"}]")), "team", "apps/v1", false);
        r = DEPLOYMENTS.apply(r.object(), json(pod("[{\"name\":\"sidecar\",\"image\":\"s:1\"}]")), "mesh", "apps/v1", false);
        assertEquals(json("[{\"name\":\"app\",\"image\":\"a:1\"},{\"name\":\"sidecar\",\"image\":\"s:1\"}]"),
                r.object().at("/spec/template/spec/containers"));
        FieldManager.Result before = r;
        ApplyConflictException e = assertThrows(ApplyConflictException.class, () -> DEPLOYMENTS.apply(before.object(),
                json(pod("[{\"name\":\"app\",\"image\":\"a:2\"}]")), "mesh", "apps/v1", false));
        assertEquals("Apply failed with 1 conflict: conflict with \"team\": .spec.template.spec.containers[name=\"app\"].image",
                e.getMessage());
        // the team drops its container: only the sidecar remains
        FieldManager.Result dropped = DEPLOYMENTS.apply(r.object(), json(pod("[]")), "team", "apps/v1", false);
        assertEquals(json("[{\"name\":\"sidecar\",\"image\":\"s:1\"}]"), dropped.object().at("/spec/template/spec/containers"));
    }

    @Test
    void portsDifferingOnlyByProtocolAreTwoItems() {
        FieldManager.Result r = DEPLOYMENTS.apply(null, json(pod("[{\"name\":\"dns\",\"ports\":[{\"containerPort\":53},"
                + "{\"containerPort\":53,\"protocol\":\"UDP\"}]}]")), "m", "apps/v1", false);
        String fields = entry(r, "m", "Apply").fields().toFieldsV1String();
        assertTrue(fields.contains("k:{\\\"containerPort\\\":53,\\\"protocol\\\":\\\"TCP\\\"}"), fields);
        assertTrue(fields.contains("k:{\\\"containerPort\\\":53,\\\"protocol\\\":\\\"UDP\\\"}"), fields);
    }

    @Test
    void atomicListsAreOneFieldReplacedWhole() {
        FieldManager.Result r = DEPLOYMENTS.apply(null,
                json(pod("[{\"name\":\"c\",\"image\":\"i\",\"args\":[\"a\",\"b\"]}]")), "m1", "apps/v1", false);
        assertTrue(entry(r, "m1", "Apply").fields().toFieldsV1String().contains("\"f:args\":{}"));
        FieldManager.Result before = r;
        ApplyConflictException e = assertThrows(ApplyConflictException.class, () -> DEPLOYMENTS.apply(before.object(),
                json(pod("[{\"name\":\"c\",\"args\":[\"c\"]}]")), "m2", "apps/v1", false));
        assertEquals(".spec.template.spec.containers[name=\"c\"].args", e.causes().getFirst().field());
        FieldManager.Result forced = DEPLOYMENTS.apply(r.object(), json(pod("[{\"name\":\"c\",\"args\":[\"c\"]}]")), "m2",
                "apps/v1", true);
        assertEquals(json("[\"c\"]"), forced.object().at("/spec/template/spec/containers/0/args"));
    }

    @Test
    void labelSelectorsAreAtomic() {
        FieldSet s = ObjectFields.toFieldSet(json(deployment(1, "x")), DEPLOYMENT);
        assertTrue(s.has(path("spec", "selector")));
        assertFalse(s.has(path("spec", "selector", "matchLabels", "app")));
    }

    @Test
    void patchSchemaListTypes() {
        FieldType containers = DEPLOYMENT.field("spec").field("template").field("spec").field("containers");
        assertEquals(FieldType.ListType.MAP, containers.listType());
        assertEquals(List.of("name"), containers.listMapKeys());
        assertEquals(FieldType.ListType.MAP, containers.element().field("ports").listType());
        assertEquals(List.of("containerPort", "protocol"), containers.element().field("ports").listMapKeys());
        assertEquals("TCP", containers.element().field("ports").keyDefault("protocol").asText());
        FieldType service = PatchSchemaFieldTypes.of(PatchSchemas.object(
                PatchSchema.builder().mergeList("ports", "port").build(), PatchSchema.EMPTY));
        assertEquals(List.of("port", "protocol"), service.field("spec").field("ports").listMapKeys());
        assertEquals(List.of("name"), containers.element().field("env").listMapKeys());
        assertEquals(FieldType.ListType.ATOMIC, containers.element().field("args").listType());
        assertEquals(FieldType.ListType.SET, DEPLOYMENT.field("metadata").field("finalizers").listType());
        assertEquals(FieldType.MapType.ATOMIC, PatchSchemaFieldTypes.of(PatchSchema.builder().replaceObject("x").build())
                .field("x").mapType());
        assertFalse(DEPLOYMENT.field("metadata").field("labels").isNamedField("app"));
        assertTrue(DEPLOYMENT.field("spec").isNamedField("replicas"));
    }

    @Test
    void aMapListItemWithoutItsKeyIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DEPLOYMENTS.apply(null, json(pod("[{\"image\":\"x\"}]")), "m", "apps/v1", false));
        assertEquals("associative list with keys has an element that omits key field \"name\" (and doesn't have default value)",
                e.getMessage());
    }
}
