package io.kubus.gateway.patch;

import com.fasterxml.jackson.databind.JsonNode;
import io.kubus.gateway.testing.Registry;
import io.kubus.schema.ResourceType;
import io.kubus.schema.ResourceTypes;
import org.junit.jupiter.api.Test;

import static io.kubus.gateway.patch.PatchTestSupport.assertJson;
import static io.kubus.gateway.patch.PatchTestSupport.assertThat;
import static io.kubus.gateway.patch.PatchTestSupport.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class StrategicMergePatchTest {

    /** A kind's schema, from its strategy. */
    private static PatchSchema schema(ResourceType type) {
        return Registry.strategy(type).patchSchema();
    }

    private static final PatchSchema DEPLOYMENT = schema(ResourceTypes.DEPLOYMENTS);
    private static final PatchSchema POD = schema(ResourceTypes.PODS);

    /** Test-only schema mirroring the MergeItem fixture of k8s' own strategicpatch tests. */
    private static final PatchSchema MERGE_ITEM = PatchSchema.builder()
            .mergeList("mergingList", "name")
            .mergePrimitiveList("mergingIntList")
            .build();

    private static final String TWO_CONTAINER_DEPLOYMENT = """
        {'apiVersion':'apps/v1','kind':'Deployment',
         'metadata':{'name':'web','namespace':'default','labels':{'app':'web','tier':'fe'},
                     'annotations':{'kubectl.kubernetes.io/last-applied-configuration':'{}'}},
         'spec':{'replicas':2,'selector':{'matchLabels':{'app':'web'}},
                 'strategy':{'type':'RollingUpdate','rollingUpdate':{'maxSurge':'25%','maxUnavailable':'25%'}},
                 'template':{'metadata':{'labels':{'app':'web'}},
                   'spec':{'containers':[
                     {'name':'nginx','image':'nginx:1.27','ports':[{'containerPort':80,'protocol':'TCP'}],
                      'env':[{'name':'A','value':'1'},{'name':'B','value':'2'}]},
                     {'name':'sidecar','image':'busybox:1.36','args':['sleep','infinity']}]}}}}""";

    private static JsonNode smp(String target, String patch, PatchSchema schema) {
        return StrategicMergePatch.apply(json(target), json(patch), schema);
    }

    private static JsonNode deployment(String patch) {
        return smp(TWO_CONTAINER_DEPLOYMENT, patch, DEPLOYMENT);
    }

    private static JsonNode containers(JsonNode deployment) {
        return deployment.at("/spec/template/spec/containers");
    }

    private static String error(String target, String patch, PatchSchema schema) {
        return assertThrows(PatchException.class, () -> smp(target, patch, schema)).getMessage();
    }

    @Test
    void kubectlApplySecondTimeWithChangedImage() {
        JsonNode result = deployment("""
            {'metadata':{'annotations':{'kubectl.kubernetes.io/last-applied-configuration':'{...}\\n'}},
             'spec':{'template':{'spec':{'$setElementOrder/containers':[{'name':'nginx'}],
                                         'containers':[{'image':'nginx:1.28','name':'nginx'}]}}}}""");
        assertEquals("{...}\n", result.at("/metadata/annotations/kubectl.kubernetes.io~1last-applied-configuration").asText());
        // The sidecar is not in the order list but k8s keeps stored items the patch does not mention.
        assertEquals(2, containers(result).size());
        assertEquals("nginx", containers(result).at("/0/name").asText());
        assertEquals("nginx:1.28", containers(result).at("/0/image").asText());
        assertJson("[{'containerPort':80,'protocol':'TCP'}]", containers(result).at("/0/ports"));
        assertJson("{'name':'sidecar','image':'busybox:1.36','args':['sleep','infinity']}", containers(result).get(1));
        assertEquals(2, result.at("/spec/replicas").asInt());
        assertJson("{'app':'web','tier':'fe'}", result.at("/metadata/labels"));
    }

    @Test
    void setElementOrderReordersMergedList() {
        JsonNode result = deployment("""
            {'spec':{'template':{'spec':{'$setElementOrder/containers':[{'name':'sidecar'},{'name':'nginx'}],
                                         'containers':[{'name':'nginx','image':'nginx:1.28'}]}}}}""");
        assertEquals("sidecar", containers(result).at("/0/name").asText());
        assertEquals("nginx:1.28", containers(result).at("/1/image").asText());
    }

    @Test
    void setElementOrderMustAgreeWithPatchList() {
        assertThat(error("{'mergingList':[{'name':'1'},{'name':'3'},{'name':'2'}]}", """
            {'$setElementOrder/mergingList':[{'name':'1'},{'name':'2'},{'name':'3'}],
             'mergingList':[{'name':'3','value':'3'},{'name':'1','value':'1'}]}""", MERGE_ITEM))
            .contains("doesn't match $setElementOrder/mergingList");
    }

    @Test
    void kubectlRolloutRestart() {
        JsonNode result = deployment("""
            {'spec':{'template':{'metadata':{'annotations':{'kubectl.kubernetes.io/restartedAt':'2025-01-01T00:00:00Z'}}}}}""");
        assertJson("{'labels':{'app':'web'},'annotations':{'kubectl.kubernetes.io/restartedAt':'2025-01-01T00:00:00Z'}}",
            result.at("/spec/template/metadata"));
        assertEquals(2, containers(result).size());
    }

    @Test
    void kubectlSetImage() {
        JsonNode result = deployment("{'spec':{'template':{'spec':{'containers':[{'name':'sidecar','image':'busybox:1.37'}]}}}}");
        assertEquals("nginx:1.27", containers(result).at("/0/image").asText());
        assertJson("{'name':'sidecar','image':'busybox:1.37','args':['sleep','infinity']}", containers(result).get(1));
    }

    @Test
    void addAndRemoveEnvVar() {
        JsonNode added = deployment("{'spec':{'template':{'spec':{'containers':[{'name':'nginx','env':[{'name':'C','value':'3'}]}]}}}}");
        // New elements come first per k8s' order rule (patch items ahead of unlocated server items).
        assertJson("[{'name':'C','value':'3'},{'name':'A','value':'1'},{'name':'B','value':'2'}]", containers(added).at("/0/env"));

        JsonNode changed = deployment("{'spec':{'template':{'spec':{'containers':[{'name':'nginx','env':[{'name':'B','value':'20'}]}]}}}}");
        assertJson("[{'name':'A','value':'1'},{'name':'B','value':'20'}]", containers(changed).at("/0/env"));

        JsonNode removed = deployment("""
            {'spec':{'template':{'spec':{'containers':[{'name':'nginx','env':[{'name':'A','$patch':'delete'}]}]}}}}""");
        assertJson("[{'name':'B','value':'2'}]", containers(removed).at("/0/env"));
    }

    @Test
    void deleteContainerWithPatchDelete() {
        JsonNode result = deployment("{'spec':{'template':{'spec':{'containers':[{'name':'sidecar','$patch':'delete'}]}}}}");
        assertEquals(1, containers(result).size());
        assertEquals("nginx", containers(result).at("/0/name").asText());
    }

    @Test
    void portsMergeByContainerPort() {
        JsonNode result = deployment("""
            {'spec':{'template':{'spec':{'containers':[{'name':'nginx','ports':[
               {'containerPort':80,'name':'http'},{'containerPort':443,'name':'https'}]}]}}}}""");
        assertJson("[{'containerPort':80,'protocol':'TCP','name':'http'},{'containerPort':443,'name':'https'}]",
            containers(result).at("/0/ports"));
    }

    @Test
    void replaceDirectiveOnList() {
        JsonNode result = deployment("""
            {'spec':{'template':{'spec':{'containers':[{'name':'only','image':'x'},{'$patch':'replace'}]}}}}""");
        assertJson("[{'name':'only','image':'x'}]", containers(result));
        JsonNode emptied = smp("{'mergingList':[{'name':'1'},{'name':'2'}]}", "{'mergingList':[{'$patch':'replace'}]}", MERGE_ITEM);
        assertJson("{'mergingList':[]}", emptied);
    }

    @Test
    void replaceAndDeleteDirectivesOnMaps() {
        assertJson("{'metadata':{'labels':{'new':'1'}}}",
            smp("{'metadata':{'labels':{'a':'1','b':'2'}}}", "{'metadata':{'labels':{'new':'1','$patch':'replace'}}}", POD));
        assertJson("{'metadata':{'name':'p','labels':{}}}",
            smp("{'metadata':{'name':'p','labels':{'a':'1'}}}", "{'metadata':{'labels':{'$patch':'delete'}}}", POD));
        assertJson("{'metadata':{'labels':{'a':'1','b':'2'}}}",
            smp("{'metadata':{'labels':{'a':'1'}}}", "{'metadata':{'labels':{'b':'2','$patch':'merge'}}}", POD));
    }

    /**
     * {@code kubectl rollout undo ds/x} sends a ControllerRevision's data: the whole former template under
     * {@code $patch: replace}. The template becomes exactly that one: the sidecar, the env list and the restart
     * annotation added since are gone, nothing of the current template is merged in.
     */
    @Test
    void daemonSetRevisionReplacesTheWholeTemplate() {
        JsonNode result = deployment("""
            {'spec':{'template':{'metadata':{'labels':{'app':'web'}},
              'spec':{'containers':[{'name':'nginx','image':'nginx:1.26'}]},'$patch':'replace'}}}""");
        assertJson("{'metadata':{'labels':{'app':'web'}},'spec':{'containers':[{'name':'nginx','image':'nginx:1.26'}]}}",
            result.at("/spec/template"));
        assertEquals(2, result.at("/spec/replicas").asInt(), "only the template is replaced");
    }

    @Test
    void finalizersUnionAndDeleteFromPrimitiveList() {
        String pod = "{'metadata':{'name':'p','finalizers':['a','b']}}";
        assertJson("{'metadata':{'name':'p','finalizers':['a','b','c']}}",
            smp(pod, "{'metadata':{'finalizers':['b','c']}}", POD));
        assertJson("{'metadata':{'name':'p','finalizers':['b']}}",
            smp(pod, "{'metadata':{'$deleteFromPrimitiveList/finalizers':['a','zzz']}}", POD));
        // 'c' is new, so k8s' order rule puts it ahead of the unmentioned stored items.
        assertJson("{'metadata':{'name':'p','finalizers':['c','b']}}",
            smp(pod, "{'metadata':{'finalizers':['c'],'$deleteFromPrimitiveList/finalizers':['a']}}", POD));
    }

    @Test
    void labelRemovedWithNull() {
        JsonNode result = deployment("{'metadata':{'labels':{'tier':null,'missing':null}}}");
        assertJson("{'app':'web'}", result.at("/metadata/labels"));
    }

    @Test
    void retainKeysSwitchesDeploymentStrategy() {
        JsonNode result = deployment("{'spec':{'strategy':{'$retainKeys':['type'],'type':'Recreate'}}}");
        assertJson("{'type':'Recreate'}", result.at("/spec/strategy"));
        assertThat(error(TWO_CONTAINER_DEPLOYMENT, "{'spec':{'strategy':{'$retainKeys':['type'],'type':'Recreate',"
            + "'rollingUpdate':{'maxSurge':1}}}}", DEPLOYMENT)).contains("missing from $retainKeys");
    }

    @Test
    void ownerReferencesMergeByUid() {
        JsonNode result = smp("{'metadata':{'ownerReferences':[{'uid':'1','kind':'ReplicaSet','name':'a'}]}}",
            "{'metadata':{'ownerReferences':[{'uid':'1','controller':true},{'uid':'2','kind':'Node','name':'n'}]}}", POD);
        assertJson("[{'uid':'1','kind':'ReplicaSet','name':'a','controller':true},{'uid':'2','kind':'Node','name':'n'}]",
            result.at("/metadata/ownerReferences"));
    }

    @Test
    void untaggedListsAreReplaced() {
        assertJson("{'spec':{'tolerations':[{'key':'b'}]}}",
            smp("{'spec':{'tolerations':[{'key':'a'}]}}", "{'spec':{'tolerations':[{'key':'b'}]}}", POD));
        // Without type information there are no merge keys at all: JSON-merge-like.
        PatchSchema unknown = PatchSchema.EMPTY;
        assertJson("{'metadata':{'finalizers':['b']},'spec':{'items':[{'name':'b'}]}}",
            smp("{'metadata':{'finalizers':['a']},'spec':{'items':[{'name':'a'}]}}",
                "{'metadata':{'finalizers':['b']},'spec':{'items':[{'name':'b'}]}}", unknown));
    }

    @Test
    void podStatusConditionsMergeByType() {
        JsonNode result = smp("""
            {'status':{'phase':'Pending','conditions':[{'type':'PodScheduled','status':'True'},{'type':'Ready','status':'False'}]}}""",
            "{'status':{'phase':'Running','conditions':[{'type':'Ready','status':'True'}],'podIPs':[{'ip':'10.0.0.5'}]}}", POD);
        assertJson("""
            {'status':{'phase':'Running','conditions':[{'type':'PodScheduled','status':'True'},{'type':'Ready','status':'True'}],
                       'podIPs':[{'ip':'10.0.0.5'}]}}""", result);
    }

    @Test
    void orderingMatchesKubernetes() {
        // From k8s' "preserve the order from the patch in a merging list 2" and its int-list twin.
        assertJson("{'mergingList':[{'name':'2','value':'b'},{'name':'3','value':'c'},{'name':'1','value':'a'}]}",
            smp("{'mergingList':[{'name':'1'},{'name':'2','value':'b'},{'name':'3'}]}",
                "{'mergingList':[{'name':'3','value':'c'},{'name':'1','value':'a'}]}", MERGE_ITEM));
        assertJson("{'mergingIntList':[2,3,1]}", smp("{'mergingIntList':[1,2,3]}", "{'mergingIntList':[3,1]}", MERGE_ITEM));
        assertJson("{'mergingList':[{'name':'2','value':'a'}]}",
            smp("{'mergingList':[{'name':'1'},{'name':'1'},{'name':'2','value':'a'},{'name':'3'},{'name':'3'}]}",
                "{'mergingList':[{'name':'1','$patch':'delete'},{'name':'3','$patch':'delete'}]}", MERGE_ITEM));
    }

    @Test
    void podTemplateSchemaIsSharedAcrossKinds() {
        PatchSchema podSpec = PatchSchemas.POD_SPEC;
        assertEquals(podSpec, schema(ResourceTypes.PODS).child("spec"));
        assertEquals(podSpec, schema(ResourceTypes.DEPLOYMENTS).child("spec").child("template").child("spec"));
        assertEquals(podSpec, schema(ResourceTypes.STATEFULSETS).child("spec").child("template").child("spec"));
        assertEquals(podSpec, schema(ResourceTypes.REPLICATIONCONTROLLERS).child("spec").child("template").child("spec"));
        assertEquals(podSpec, schema(ResourceTypes.CRONJOBS).child("spec").child("jobTemplate").child("spec")
            .child("template").child("spec"));
        assertEquals("containerPort", podSpec.child("containers").field("ports").mergeKey());
        assertEquals("topologyKey", podSpec.field("topologySpreadConstraints").mergeKey());
        assertEquals(PatchSchema.ListStrategy.REPLACE, podSpec.field("tolerations").listStrategy());
        assertEquals("port", schema(ResourceTypes.SERVICES).child("spec").field("ports").mergeKey());
        assertEquals(PatchSchema.ListStrategy.MERGE, schema(ResourceTypes.NODES).child("spec").field("podCIDRs").listStrategy());
        assertEquals("type", schema(ResourceTypes.NODES).child("status").field("addresses").mergeKey());
        assertEquals(true, schema(ResourceTypes.DEPLOYMENTS).child("spec").field("strategy").retainKeys());
    }

    @Test
    void cronJobContainersMergeByName() {
        JsonNode result = smp("""
            {'spec':{'schedule':'* * * * *','jobTemplate':{'spec':{'template':{'spec':{'containers':[
              {'name':'a','image':'a:1'},{'name':'b','image':'b:1'}]}}}}}}""",
            "{'spec':{'jobTemplate':{'spec':{'template':{'spec':{'containers':[{'name':'b','image':'b:2'}]}}}}}}",
            schema(ResourceTypes.CRONJOBS));
        assertJson("[{'name':'a','image':'a:1'},{'name':'b','image':'b:2'}]",
            result.at("/spec/jobTemplate/spec/template/spec/containers"));
    }

    @Test
    void doesNotMutateInputs() {
        JsonNode target = json(TWO_CONTAINER_DEPLOYMENT);
        JsonNode patch = json("""
            {'metadata':{'labels':{'tier':null}},'spec':{'strategy':{'$retainKeys':['type'],'type':'Recreate'},
             'template':{'spec':{'containers':[{'name':'sidecar','$patch':'delete'},{'name':'nginx','env':[{'name':'A','value':'9'}]}]}}}}""");
        JsonNode targetCopy = target.deepCopy();
        JsonNode patchCopy = patch.deepCopy();
        JsonNode result = StrategicMergePatch.apply(target, patch, DEPLOYMENT);
        assertEquals(targetCopy, target);
        assertEquals(patchCopy, patch);
        assertEquals(1, containers(result).size());
    }

    @Test
    void badPatches() {
        assertThat(assertThrows(PatchException.class,
            () -> StrategicMergePatch.apply(json("{}"), json("[{'op':'add'}]"), POD)).getMessage())
            .contains("must be a JSON object");
        assertThat(error("{'metadata':{'labels':{}}}", "{'metadata':{'labels':{'$patch':'bogus'}}}", POD))
            .contains("/metadata/labels").contains("invalid $patch directive \"bogus\"");
        assertThat(error(TWO_CONTAINER_DEPLOYMENT, "{'spec':{'template':{'spec':{'containers':[{'image':'x'}]}}}}", DEPLOYMENT))
            .contains("/spec/template/spec/containers").contains("merge key \"name\"");
        assertThat(error(TWO_CONTAINER_DEPLOYMENT, "{'spec':{'template':{'spec':{'containers':[{'$patch':'delete'}]}}}}", DEPLOYMENT))
            .contains("merge key \"name\"");
        assertThat(error(TWO_CONTAINER_DEPLOYMENT, "{'spec':{'template':{'spec':{'containers':[{'name':'x','$patch':'bogus'}]}}}}",
            DEPLOYMENT)).contains("invalid $patch directive");
        assertThat(error("{}", "{'metadata':{'$deleteFromPrimitiveList':['a']}}", POD)).contains("malformed directive");
        assertThat(error("{'metadata':{'finalizers':['a']}}", "{'metadata':{'finalizers':[{'x':1}]}}", POD))
            .contains("not all of the same type");
        assertThat(assertThrows(PatchException.class,
            () -> StrategicMergePatch.apply(json("[]"), json("{}"), POD)).getMessage()).contains("target document");
    }
}
