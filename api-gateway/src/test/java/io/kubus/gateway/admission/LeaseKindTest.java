package io.kubus.gateway.admission;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubus.gateway.api.ApiException;
import io.kubus.gateway.table.TableColumn;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static io.kubus.gateway.admission.Fixtures.STRATEGIES;
import static io.kubus.gateway.admission.Fixtures.json;
import static io.kubus.gateway.admission.KindRules.admitted;
import static io.kubus.gateway.admission.KindRules.refused;
import static io.kubus.gateway.admission.KindRules.refusedUpdate;
import static io.kubus.gateway.admission.KindRules.with;
import static io.kubus.schema.ResourceTypes.LEASES;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** coordination.k8s.io/v1 Leases: ValidateLease, the MicroTime decoding and the gated fields of Kubernetes 1.32. */
class LeaseKindTest {
    private static ObjectNode lease() {
        return json("{'apiVersion':'coordination.k8s.io/v1','kind':'Lease','metadata':{'name':'node-1',"
                + "'namespace':'kube-node-lease'},'spec':{'holderIdentity':'node-1','leaseDurationSeconds':40,"
                + "'renewTime':'2024-05-01T10:00:00.123456Z'}}");
    }

    @Test
    void aNodeLeaseIsStoredAsSent() {
        ObjectNode stored = admitted(LEASES, lease());
        assertEquals("node-1", stored.at("/spec/holderIdentity").asText());
        assertEquals(40, stored.at("/spec/leaseDurationSeconds").asInt());
        assertEquals("2024-05-01T10:00:00.123456Z", stored.at("/spec/renewTime").asText());
    }

    @Test
    void durationsAndTransitions() {
        refused(LEASES, with(lease(), l -> l.with("spec").put("leaseDurationSeconds", 0)),
                "spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0");
        refused(LEASES, with(lease(), l -> l.with("spec").put("leaseDurationSeconds", -1).put("leaseTransitions", -2)),
                "spec.leaseDurationSeconds: Invalid value: -1: must be greater than 0",
                "spec.leaseTransitions: Invalid value: -2: must be greater than or equal to 0");
        ObjectNode old = admitted(LEASES, lease());
        refusedUpdate(LEASES, with(old, l -> l.with("spec").put("leaseDurationSeconds", -40)), old,
                "spec.leaseDurationSeconds: Invalid value: -40: must be greater than 0");
        admitted(LEASES, with(lease(), l -> l.with("spec").put("leaseTransitions", 0).putNull("leaseDurationSeconds")));
    }

    @Test
    void theNameIsADnsSubdomain() {
        refused(LEASES, with(lease(), l -> l.with("metadata").put("name", "Node_1")),
                "metadata.name: Invalid value: \"Node_1\": a lowercase RFC 1123 subdomain must consist of lower case "
                        + "alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. "
                        + "'example.com', regex used for validation is "
                        + "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')");
    }

    /** MicroTime.UnmarshalJSON: a time Go's parser refuses is the decoder's 400; a good one comes back in UTC. */
    @Test
    void microTimesAreDecodedAsGoDecodesThem() {
        ObjectNode stored = admitted(LEASES, with(lease(), l -> l.with("spec")
                .put("acquireTime", "2024-05-01T12:00:00.000001+02:00").put("renewTime", "2024-05-01T12:00:10.500000+02:00")));
        assertEquals("2024-05-01T10:00:00.000001Z", stored.at("/spec/acquireTime").asText());
        assertEquals("2024-05-01T10:00:10.500000Z", stored.at("/spec/renewTime").asText());
        ApiException e = Fixtures.refuse(LEASES, with(lease(), l -> l.with("spec").put("renewTime", "2024-05-01T10:00:00Z")), null);
        assertEquals(400, e.code());
        assertEquals("BadRequest", e.status().getReason());
        assertEquals("Lease in version \"v1\" cannot be handled as a Lease: parsing time \"2024-05-01T10:00:00Z\" as "
                + "\"2006-01-02T15:04:05.000000Z07:00\": cannot parse \"Z\" as \".000000\"", e.getMessage());
        e = Fixtures.refuse(LEASES, with(lease(), l -> l.with("spec").put("acquireTime", "now")), null);
        assertEquals("Lease in version \"v1\" cannot be handled as a Lease: parsing time \"now\" as "
                + "\"2006-01-02T15:04:05.000000Z07:00\": cannot parse \"now\" as \"2006\"", e.getMessage());
        // not a string: the error of MicroTime's own json.Unmarshal into a string (Jackson would read epoch seconds)
        e = Fixtures.refuse(LEASES, with(lease(), l -> l.with("spec").put("renewTime", 1714557600)), null);
        assertEquals("Lease in version \"v1\" cannot be handled as a Lease: json: cannot unmarshal number into Go value "
                + "of type string", e.getMessage());
        ObjectNode zero = admitted(LEASES, with(lease(), l -> l.with("spec").putNull("renewTime")));
        assertFalse(zero.path("spec").hasNonNull("renewTime"), "null is the zero time, left out");
    }

    /** CoordinatedLeaderElection is off in 1.32: what only it reads is dropped, as kube-apiserver drops it. */
    @Test
    void coordinatedLeaderElectionFieldsAreDropped() {
        ObjectNode stored = admitted(LEASES, with(lease(), l -> l.with("spec").put("strategy", "OldestEmulationVersion")
                .put("preferredHolder", "node-2")));
        assertFalse(stored.path("spec").has("strategy"));
        assertFalse(stored.path("spec").has("preferredHolder"));
        ObjectNode updated = Fixtures.admit(LEASES, with(stored, l -> l.with("spec").put("strategy", "x/y")), stored,
                FieldValidation.STRICT, new java.util.ArrayList<>());
        assertFalse(updated.path("spec").has("strategy"));
    }

    @Test
    void printedWithHolderAndAge() {
        ObjectNode stored = admitted(LEASES, with(lease(), l -> l.with("metadata")
                .put("creationTimestamp", "2024-05-01T10:00:00Z")));
        var printer = STRATEGIES.of(LEASES).printer();
        assertEquals(List.of("Name", "Holder", "Age"), printer.columns().stream().map(TableColumn::name).toList());
        assertEquals(List.of("node-1", "node-1", "5m"), printer.cells(stored, Instant.parse("2024-05-01T10:05:00Z")));
        ObjectNode unheld = with(stored, l -> l.with("spec").remove("holderIdentity"));
        assertEquals("", printer.cells(unheld, Instant.parse("2024-05-01T10:05:00Z")).get(1));
    }
}
