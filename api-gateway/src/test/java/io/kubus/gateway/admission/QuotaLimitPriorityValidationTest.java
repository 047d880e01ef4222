package io.kubus.gateway.admission;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubus.gateway.api.ApiException;
import io.kubus.gateway.testing.Registry;
import io.kubus.schema.ResourceType;
import io.kubus.schema.ResourceTypes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static io.kubus.gateway.admission.Fixtures.assertInvalid;
import static io.kubus.gateway.admission.Fixtures.create;
import static io.kubus.gateway.admission.Fixtures.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * The validation, defaults and columns of ResourceQuotas, LimitRanges and PriorityClasses, with the messages of
 * Kubernetes 1.32's pkg/apis/core/validation and pkg/apis/scheduling/validation.
 */
class QuotaLimitPriorityValidationTest {
    private static final String FORMAT = "quantities must match the regular expression "
            + "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

    private static ObjectNode quota(String spec) {
        return json("{'apiVersion':'v1','kind':'ResourceQuota','metadata':{'name':'q','namespace':'default'},'spec':" + spec + "}");
    }

    private static ObjectNode limits(String items) {
        return json("{'apiVersion':'v1','kind':'LimitRange','metadata':{'name':'l','namespace':'default'},"
                + "'spec':{'limits':" + items + "}}");
    }

    private static ObjectNode priorityClass(String name, String rest) {
        return json("{'apiVersion':'scheduling.k8s.io/v1','kind':'PriorityClass','metadata':{'name':'" + name + "'}"
                + (rest.isEmpty() ? "" : "," + rest) + "}");
    }

    static Stream<Arguments> invalid() {
        return Stream.of(
                // ResourceQuota
                Arguments.of(ResourceTypes.RESOURCEQUOTAS, quota("{'hard':{'foo':'1'}}"), "spec.hard[foo]",
                        "Invalid value: \"foo\": must be a standard resource type or fully qualified"),
                Arguments.of(ResourceTypes.RESOURCEQUOTAS, quota("{'hard':{'foo':'1'}}"), "spec.hard[foo]",
                        "Invalid value: \"foo\": must be a standard resource for quota"),
                Arguments.of(ResourceTypes.RESOURCEQUOTAS, quota("{'hard':{'storage':'1Gi'}}"), "spec.hard[storage]",
                        "Invalid value: \"storage\": must be a standard resource for quota"),
                Arguments.of(ResourceTypes.RESOURCEQUOTAS, quota("{'hard':{'count/bad name':'1'}}"), "spec.hard[count/bad name]",
                        "Invalid value: \"count/bad name\": name part must consist of alphanumeric characters"),
                Arguments.of(ResourceTypes.RESOURCEQUOTAS, quota("{'hard':{'pods':'-1'}}"), "spec.hard[pods]",
                        "Invalid value: \"-1\": must be greater than or equal to 0"),
                Arguments.of(ResourceTypes.RESOURCEQUOTAS, quota("{'hard':{'pods':'1500m'}}"), "spec.hard[pods]",
                        "Invalid value: 1500m: must be an integer"),
                Arguments.of(ResourceTypes.RESOURCEQUOTAS, quota("{'hard':{'count/deployments.apps':'2.5'}}"),
                        "spec.hard[count/deployments.apps]", "Invalid value: 2500m: must be an integer"),
                Arguments.of(ResourceTypes.RESOURCEQUOTAS, quota("{'hard':{'requests.cpu':'lots'}}"), "spec.hard[requests.cpu]",
                        "Invalid value: \"lots\": " + FORMAT),
                Arguments.of(ResourceTypes.RESOURCEQUOTAS, quota("{'hard':{'pods':'1'},'scopes':['Sometimes']}"), "spec.scopes",
                        "Invalid value: []core.ResourceQuotaScope{\"Sometimes\"}: unsupported scope"),
                Arguments.of(ResourceTypes.RESOURCEQUOTAS, quota("{'hard':{'requests.cpu':'1'},'scopes':['BestEffort']}"),
                        "spec.scopes", "Invalid value: []core.ResourceQuotaScope{\"BestEffort\"}: unsupported scope applied to resource"),
                Arguments.of(ResourceTypes.RESOURCEQUOTAS, quota("{'hard':{'pods':'1'},'scopes':['BestEffort','NotBestEffort']}"),
                        "spec.scopes", "Invalid value: []core.ResourceQuotaScope{\"BestEffort\", \"NotBestEffort\"}: conflicting scopes"),
                Arguments.of(ResourceTypes.RESOURCEQUOTAS, quota("{'hard':{'pods':'1'},'scopeSelector':{'matchExpressions':"
                                + "[{'scopeName':'BestEffort','operator':'In','values':['x']}]}}"),
                        "spec.scopeSelector.matchExpressions.operator", "Invalid value: \"In\": must be 'Exists' when scope is any of "
                                + "ResourceQuotaScopeTerminating, ResourceQuotaScopeNotTerminating, ResourceQuotaScopeBestEffort, "
                                + "ResourceQuotaScopeNotBestEffort or ResourceQuotaScopeCrossNamespacePodAffinity"),
                Arguments.of(ResourceTypes.RESOURCEQUOTAS, quota("{'hard':{'pods':'1'},'scopeSelector':{'matchExpressions':"
                                + "[{'scopeName':'PriorityClass','operator':'In'}]}}"),
                        "spec.scopeSelector.matchExpressions.values", "Required value: must be at least one value when "
                                + "`operator` is 'In' or 'NotIn' for scope selector"),
                Arguments.of(ResourceTypes.RESOURCEQUOTAS, quota("{'hard':{'pods':'1'},'scopeSelector':{'matchExpressions':"
                                + "[{'scopeName':'PriorityClass','operator':'Exists','values':['high']}]}}"),
                        "spec.scopeSelector.matchExpressions.values", "Invalid value: []string{\"high\"}: must be no value when "
                                + "`operator` is 'Exist' or 'DoesNotExist' for scope selector"),
                Arguments.of(ResourceTypes.RESOURCEQUOTAS, quota("{'hard':{'configmaps':'1'},'scopeSelector':{'matchExpressions':"
                                + "[{'scopeName':'PriorityClass','operator':'Exists'}]}}"),
                        "spec.scopeSelector.matchExpressions", "Invalid value: core.ScopeSelector{MatchExpressions:"
                                + "[]core.ScopedResourceSelectorRequirement{core.ScopedResourceSelectorRequirement{"
                                + "ScopeName:\"PriorityClass\", Operator:\"Exists\", Values:[]string(nil)}}}: "
                                + "unsupported scope applied to resource"),
                Arguments.of(ResourceTypes.RESOURCEQUOTAS, quota("{'hard':{'pods':'1'},'scopeSelector':{'matchExpressions':"
                                + "[{'scopeName':'PriorityClass','operator':'Near','values':['a']}]}}"),
                        "spec.scopeSelector.matchExpressions.operator", "Invalid value: \"Near\": not a valid selector operator"),
                // LimitRange
                Arguments.of(ResourceTypes.LIMITRANGES, limits("[{'type':'Node','max':{'cpu':'1'}}]"), "spec.limits[0].type",
                        "Invalid value: \"Node\": must be a standard limit type or fully qualified"),
                Arguments.of(ResourceTypes.LIMITRANGES, limits("[{'type':'Container','max':{'cpu':'1'}},{'type':'Container'}]"),
                        "spec.limits[1].type", "Duplicate value: \"Container\""),
                Arguments.of(ResourceTypes.LIMITRANGES, limits("[{'type':'Container','max':{'gpu':'1'}}]"), "spec.limits[0].max[gpu]",
                        "Invalid value: \"gpu\": must be a standard resource for containers"),
                Arguments.of(ResourceTypes.LIMITRANGES, limits("[{'type':'Container','min':{'cpu':'2'},'max':{'cpu':'1'}}]"),
                        "spec.limits[0].min[cpu]", "Invalid value: 2: min value 2 is greater than max value 1"),
                Arguments.of(ResourceTypes.LIMITRANGES, limits("[{'type':'Container','default':{'memory':'64Mi'},"
                                + "'defaultRequest':{'memory':'128Mi'}}]"),
                        "spec.limits[0].defaultRequest[memory]",
                        "Invalid value: 128Mi: default request value 128Mi is greater than default limit value 64Mi"),
                Arguments.of(ResourceTypes.LIMITRANGES, limits("[{'type':'Container','max':{'cpu':'1'},'default':{'cpu':'2'}}]"),
                        "spec.limits[0].default[cpu]", "Invalid value: 1: default value 2 is greater than max value 1"),
                Arguments.of(ResourceTypes.LIMITRANGES, limits("[{'type':'Container','maxLimitRequestRatio':{'cpu':'500m'}}]"),
                        "spec.limits[0].maxLimitRequestRatio[cpu]", "Invalid value: 500m: ratio 500m is less than 1"),
                Arguments.of(ResourceTypes.LIMITRANGES, limits("[{'type':'Pod','min':{'cpu':'1'},'max':{'cpu':'2'},"
                                + "'maxLimitRequestRatio':{'cpu':'3'}}]"),
                        "spec.limits[0].maxLimitRequestRatio[cpu]", "Invalid value: 3: ratio 3 is greater than max/min = 2.000000"),
                Arguments.of(ResourceTypes.LIMITRANGES, limits("[{'type':'Pod','default':{'cpu':'1'}}]"), "spec.limits[0].default",
                        "Forbidden: may not be specified when `type` is 'Pod'"),
                Arguments.of(ResourceTypes.LIMITRANGES, limits("[{'type':'PersistentVolumeClaim','max':{'cpu':'1'}}]"),
                        "spec.limits[0].limits",
                        "Required value: either minimum or maximum storage value is required, but neither was provided"),
                Arguments.of(ResourceTypes.LIMITRANGES, limits("[{'type':'Container','max':{'memory':'1mi'}}]"),
                        "spec.limits[0].max[memory]", "Invalid value: \"1mi\": unable to parse quantity's suffix"),
                Arguments.of(ResourceTypes.LIMITRANGES, limits("[{'type':'Container','max':{'memory':'1Gb'}}]"),
                        "spec.limits[0].max[memory]", "Invalid value: \"1Gb\": " + FORMAT),
                // PriorityClass
                Arguments.of(ResourceTypes.PRIORITYCLASSES, priorityClass("huge", "'value':2000000000"), "value",
                        "Forbidden: maximum allowed value of a user defined priority is 1000000000"),
                Arguments.of(ResourceTypes.PRIORITYCLASSES, priorityClass("system-mine", "'value':10"), "metadata.name",
                        "Forbidden: priority class names with 'system-' prefix are reserved for system use only. "
                                + "error: system-mine is not a known system priority class"),
                Arguments.of(ResourceTypes.PRIORITYCLASSES, priorityClass("system-node-critical", "'value':10"), "metadata.name",
                        "Forbidden: priority class names with 'system-' prefix are reserved for system use only. "
                                + "error: value of system-node-critical PriorityClass must be 2000001000"),
                Arguments.of(ResourceTypes.PRIORITYCLASSES, priorityClass("odd", "'value':1,'preemptionPolicy':'Sometimes'"),
                        "preemptionPolicy", "Unsupported value: \"Sometimes\": supported values: \"PreemptLowerPriority\", \"Never\""),
                Arguments.of(ResourceTypes.PRIORITYCLASSES, priorityClass("Upper", "'value':1"), "metadata.name",
                        "Invalid value: \"Upper\": a lowercase RFC 1123 subdomain"));
    }

    @ParameterizedTest(name = "{2}: {3}")
    @MethodSource("invalid")
    void invalidObjectsAreRefusedWithKubernetesMessages(ResourceType type, ObjectNode object, String field, String message) {
        assertInvalid(type, object, field, message);
    }

    @Test
    void aQuotaStartsWithAnEmptyStatusWhateverItsCreatorSays() {
        ObjectNode q = quota("{'hard':{'pods':'2','count/deployments.apps':'1','requests.cpu':'1'}}");
        q.putObject("status").putObject("used").put("pods", "0");
        ObjectNode admitted = create(ResourceTypes.RESOURCEQUOTAS, q);
        assertEquals(json("{}"), admitted.get("status"));
        assertEquals("2", admitted.at("/spec/hard/pods").asText());
    }

    @Test
    void aQuotasScopesCannotChange() {
        ObjectNode old = create(ResourceTypes.RESOURCEQUOTAS, quota("{'hard':{'pods':'2'},'scopes':['BestEffort']}"));
        ObjectNode changed = old.deepCopy();
        changed.with("spec").putArray("scopes").add("NotBestEffort");
        assertInvalid(ResourceTypes.RESOURCEQUOTAS, changed, old, "spec.scopes",
                "Invalid value: []core.ResourceQuotaScope{\"NotBestEffort\"}: field is immutable");
    }

    @Test
    void aContainerItemsDefaultsComeFromItsBounds() {
        ObjectNode admitted = create(ResourceTypes.LIMITRANGES, limits(
                "[{'type':'Container','max':{'cpu':'1','memory':'1Gi'},'min':{'cpu':'100m'},'default':{'memory':'512Mi'}},"
                        + "{'type':'Pod','max':{'cpu':'4'}}]"));
        // max becomes the default limit, the default limit the default request, else the min
        assertEquals(json("{'cpu':'1','memory':'512Mi'}"), admitted.at("/spec/limits/0/default"));
        assertEquals(json("{'cpu':'1','memory':'512Mi'}"), admitted.at("/spec/limits/0/defaultRequest"));
        assertFalse(admitted.at("/spec/limits/1").has("default"), "a Pod item has no defaults");
    }

    @Test
    void aPriorityClassDefaultsToPreemptingAndToValueZero() {
        ObjectNode admitted = create(ResourceTypes.PRIORITYCLASSES, priorityClass("low", ""));
        assertEquals("PreemptLowerPriority", admitted.path("preemptionPolicy").asText());
        assertEquals(0, admitted.path("value").asInt(-1));
        assertFalse(admitted.has("globalDefault"));
    }

    @Test
    void aPriorityClassKeepsItsValueAndPolicy() {
        ObjectNode old = create(ResourceTypes.PRIORITYCLASSES, priorityClass("high", "'value':1000"));
        ObjectNode changed = old.deepCopy().put("value", 2000).put("preemptionPolicy", "Never");
        ApiException e = assertInvalid(ResourceTypes.PRIORITYCLASSES, changed, old, "value", "Forbidden: may not be changed in an update.");
        assertInvalid(ResourceTypes.PRIORITYCLASSES, changed, old, "preemptionPolicy", "Invalid value: \"Never\": field is immutable");
        assertEquals(2, e.status().getDetails().getCauses().size());
        // the description and globalDefault may change
        ObjectNode described = Fixtures.admit(ResourceTypes.PRIORITYCLASSES,
                old.deepCopy().put("description", "now described").put("globalDefault", true), old, FieldValidation.STRICT,
                new ArrayList<>());
        assertEquals("now described", described.path("description").asText());
    }

    @Test
    void columnsAreKubectls() {
        Instant now = Instant.parse("2026-11-22T10:00:00Z");
        ObjectNode q = json("{'metadata':{'name':'q','creationTimestamp':'2026-11-22T09:59:00Z'},'status':{"
                + "'hard':{'pods':'2','requests.cpu':'1','limits.memory':'2Gi','limits.cpu':'2'},"
                + "'used':{'pods':'1','requests.cpu':'500m','limits.memory':'1024Mi'}}}");
        var quotaPrinter = Registry.strategy(ResourceTypes.RESOURCEQUOTAS).printer();
        assertEquals(List.of("Name", "Age", "Request", "Limit"), quotaPrinter.columns().stream().map(c -> c.name()).toList());
        assertEquals(List.of("q", "60s", "pods: 1/2, requests.cpu: 500m/1", "limits.cpu: 0/2, limits.memory: 1Gi/2Gi"),
                quotaPrinter.cells(q, now));

        var lrPrinter = Registry.strategy(ResourceTypes.LIMITRANGES).printer(); // kube-apiserver's default table
        assertEquals(List.of("Name", "Created At"), lrPrinter.columns().stream().map(c -> c.name()).toList());
        assertEquals(List.of("l", "2026-11-22T09:59:00Z"), lrPrinter.cells(json(
                "{'metadata':{'name':'l','creationTimestamp':'2026-11-22T09:59:00Z'}}"), now));

        var pcPrinter = Registry.strategy(ResourceTypes.PRIORITYCLASSES).printer();
        assertEquals(List.of("Name", "Value", "Global-Default", "Age", "PreemptionPolicy"),
                pcPrinter.columns().stream().map(c -> c.name()).toList());
        assertEquals(List.of("high", 1000L, true, "60s", "Never"), pcPrinter.cells(json(
                "{'metadata':{'name':'high','creationTimestamp':'2026-11-22T09:59:00Z'},'value':1000,'globalDefault':true,"
                        + "'preemptionPolicy':'Never'}"), now));
    }
}
