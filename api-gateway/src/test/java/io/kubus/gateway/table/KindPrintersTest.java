package io.kubus.gateway.table;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubus.schema.ResourceType;
import io.kubus.schema.ResourceTypes;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static io.kubus.gateway.table.TableTestSupport.CREATED;
import static io.kubus.gateway.table.TableTestSupport.printer;
import static io.kubus.gateway.table.TableTestSupport.assertColumns;
import static io.kubus.gateway.table.TableTestSupport.json;
import static io.kubus.gateway.table.TableTestSupport.row;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;

class KindPrintersTest {
    private static final String META = "'metadata':{'name':'web','namespace':'default','creationTimestamp':'" + CREATED + "'}";
    private static final String TEMPLATE = "'template':{'metadata':{'labels':{'app':'web'}},'spec':{'nodeSelector':{'disk':'ssd'},"
            + "'containers':[{'name':'nginx','image':'nginx:1.27'},{'name':'log','image':'fluent-bit:3'}]}}";

    private static ObjectNode object(String rest) {
        return json("{" + META + "," + rest + "}");
    }

    @Test
    void everyKindHasItsOwnPrinter() {
        TablePrinter fallback = TablePrinters.DEFAULT;
        // kube-apiserver prints these with its default table convertor: printers.go has no columns for them
        Set<ResourceType> defaultPrinted = Set.of(ResourceTypes.ROLES, ResourceTypes.CLUSTERROLES, ResourceTypes.LIMITRANGES,
                ResourceTypes.CUSTOMRESOURCEDEFINITIONS);
        for (ResourceType type : ResourceTypes.all()) {
            if (!defaultPrinted.contains(type)) {
                assertNotSame(fallback, printer(type), type.kind());
            }
        }
    }

    @Test
    void namespaces() {
        assertColumns(ResourceTypes.NAMESPACES, "Name", "Status", "Age");
        assertEquals(List.of("web", "Active", "60m"), row(ResourceTypes.NAMESPACES, object("'status':{'phase':'Active'}")));
    }

    @Test
    void nodes() {
        assertColumns(ResourceTypes.NODES, "Name", "Status", "Roles", "Age", "Version",
                "Internal-IP*", "External-IP*", "OS-Image*", "Kernel-Version*", "Container-Runtime*");
        ObjectNode node = json("{'metadata':{'name':'node-1','creationTimestamp':'" + CREATED + "',"
                + "'labels':{'node-role.kubernetes.io/control-plane':'','node-role.kubernetes.io/worker':'','kubernetes.io/role':'edge'}},"
                + "'spec':{'unschedulable':true},'status':{'conditions':[{'type':'MemoryPressure','status':'False'},"
                + "{'type':'Ready','status':'True'}],'addresses':[{'type':'InternalIP','address':'172.18.0.2'},{'type':'Hostname','address':'node-1'}],"
                + "'nodeInfo':{'kubeletVersion':'v1.32.0','osImage':'Debian GNU/Linux 12 (bookworm)','kernelVersion':'6.8.0',"
                + "'containerRuntimeVersion':'docker://27.3.1'}}}");
        assertEquals(List.of("node-1", "Ready,SchedulingDisabled", "control-plane,edge,worker", "60m", "v1.32.0",
                "172.18.0.2", "<none>", "Debian GNU/Linux 12 (bookworm)", "6.8.0", "docker://27.3.1"), row(ResourceTypes.NODES, node));
        ObjectNode notReady = json("{'metadata':{'name':'n2'},'status':{'conditions':[{'type':'Ready','status':'Unknown'}]}}");
        List<Object> cells = row(ResourceTypes.NODES, notReady);
        assertEquals("NotReady", cells.get(1));
        assertEquals("<none>", cells.get(2));
        assertEquals("<unknown>", cells.get(3));
        assertEquals("<unknown>", cells.get(7));
        assertEquals("Unknown", row(ResourceTypes.NODES, json("{'metadata':{'name':'n3'}}")).get(1));
    }

    @Test
    void events() {
        assertColumns(ResourceTypes.EVENTS, "Last Seen", "Type", "Reason", "Object", "Subobject*", "Source*", "Message",
                "First Seen*", "Count*", "Name*");
        assertEquals("name", printer(ResourceTypes.EVENTS).columns().get(9).format());
        ObjectNode event = json("{'metadata':{'name':'web.17f','namespace':'default'},'type':'Normal','reason':'Pulled',"
                + "'involvedObject':{'kind':'Pod','name':'web','fieldPath':'spec.containers{nginx}'},"
                + "'source':{'component':'kubelet','host':'node-1'},'message':' Container image pulled \\n',"
                + "'firstTimestamp':'2026-11-22T11:50:00Z','lastTimestamp':'2026-11-22T11:58:00Z','count':3}");
        assertEquals(List.of("2m", "Normal", "Pulled", "pod/web", "spec.containers{nginx}", "kubelet, node-1",
                "Container image pulled", "10m", 3L, "web.17f"), row(ResourceTypes.EVENTS, event));
        ObjectNode bare = json("{'metadata':{'name':'e'},'involvedObject':{'kind':'Node'},'eventTime':'2026-11-22T11:59:30.000000Z',"
                + "'reportingComponent':'scheduler'}");
        List<Object> cells = row(ResourceTypes.EVENTS, bare);
        assertEquals("30s", cells.get(0));
        assertEquals("node", cells.get(3));
        assertEquals("scheduler", cells.get(5));
        assertEquals(1L, cells.get(8));
    }

    @Test
    void services() {
        assertColumns(ResourceTypes.SERVICES, "Name", "Type", "Cluster-IP", "External-IP", "Port(s)", "Age", "Selector*");
        ObjectNode svc = object("'spec':{'type':'NodePort','clusterIP':'10.96.0.10','clusterIPs':['10.96.0.10'],"
                + "'selector':{'tier':'front','app':'web'},'ports':[{'port':80,'nodePort':30080,'protocol':'TCP'},{'port':53,'protocol':'UDP'}]}");
        assertEquals(List.of("web", "NodePort", "10.96.0.10", "<none>", "80:30080/TCP,53/UDP", "60m", "app=web,tier=front"),
                row(ResourceTypes.SERVICES, svc));
        ObjectNode lb = object("'spec':{'type':'LoadBalancer','clusterIP':'10.96.0.11','ports':[{'port':443,'protocol':'TCP'}]}");
        assertEquals("<pending>", row(ResourceTypes.SERVICES, lb).get(3));
        lb.putObject("status").set("loadBalancer", json("{'ingress':[{'ip':'203.0.113.5'}]}"));
        assertEquals("203.0.113.5", row(ResourceTypes.SERVICES, lb).get(3));
        ObjectNode ext = object("'spec':{'type':'ExternalName','externalName':'db.example.com'}");
        List<Object> cells = row(ResourceTypes.SERVICES, ext);
        assertEquals(List.of("<none>", "db.example.com", "<none>", "<none>"), List.of(cells.get(2), cells.get(3), cells.get(4), cells.get(6)));
    }

    @Test
    void endpoints() {
        assertColumns(ResourceTypes.ENDPOINTS, "Name", "Endpoints", "Age");
        ObjectNode ep = object("'subsets':[{'addresses':[{'ip':'10.244.0.5'},{'ip':'10.244.0.6'}],'ports':[{'port':80},{'port':443}]}]");
        assertEquals(List.of("web", "10.244.0.5:80,10.244.0.6:80,10.244.0.5:443 + 1 more...", "60m"), row(ResourceTypes.ENDPOINTS, ep));
        assertEquals("<none>", row(ResourceTypes.ENDPOINTS, object("'subsets':[]")).get(1));
        assertEquals("10.244.0.5", row(ResourceTypes.ENDPOINTS, object("'subsets':[{'addresses':[{'ip':'10.244.0.5'}]}]")).get(1));
    }

    @Test
    void secretsAndConfigMaps() {
        assertColumns(ResourceTypes.SECRETS, "Name", "Type", "Data", "Age");
        assertEquals(List.of("web", "kubernetes.io/tls", 2L, "60m"),
                row(ResourceTypes.SECRETS, object("'type':'kubernetes.io/tls','data':{'tls.crt':'eA==','tls.key':'eA=='}")));
        assertColumns(ResourceTypes.CONFIGMAPS, "Name", "Data", "Age");
        assertEquals(List.of("web", 3L, "60m"), row(ResourceTypes.CONFIGMAPS, object("'data':{'a':'1','b':'2'},'binaryData':{'c':'eA=='}")));
    }

    @Test
    void persistentVolumeClaimsAndVolumes() {
        assertColumns(ResourceTypes.PERSISTENTVOLUMECLAIMS, "Name", "Status", "Volume", "Capacity", "Access Modes", "StorageClass",
                "VolumeAttributesClass", "Age", "VolumeMode*");
        ObjectNode bound = object("'spec':{'volumeName':'pv-1','storageClassName':'standard','volumeMode':'Filesystem',"
                + "'accessModes':['ReadWriteOnce'],'resources':{'requests':{'storage':'1Gi'}}},"
                + "'status':{'phase':'Bound','capacity':{'storage':'5Gi'},'accessModes':['ReadWriteMany','ReadWriteOnce']}");
        assertEquals(List.of("web", "Bound", "pv-1", "5Gi", "RWO,RWX", "standard", "<unset>", "60m", "Filesystem"),
                row(ResourceTypes.PERSISTENTVOLUMECLAIMS, bound));
        ObjectNode pending = object("'spec':{'accessModes':['ReadWriteOnce']},'status':{'phase':'Pending'}");
        assertEquals(List.of("web", "Pending", "", "", "", "", "<unset>", "60m", "<unset>"), row(ResourceTypes.PERSISTENTVOLUMECLAIMS, pending));

        assertColumns(ResourceTypes.PERSISTENTVOLUMES, "Name", "Capacity", "Access Modes", "Reclaim Policy", "Status", "Claim",
                "StorageClass", "VolumeAttributesClass", "Reason", "Age", "VolumeMode*");
        ObjectNode pv = json("{'metadata':{'name':'pv-1','creationTimestamp':'" + CREATED + "','annotations':{'volume.beta.kubernetes.io/storage-class':'slow'}},"
                + "'spec':{'capacity':{'storage':'5Gi'},'accessModes':['ReadWriteOncePod','ReadOnlyMany'],'persistentVolumeReclaimPolicy':'Retain',"
                + "'claimRef':{'namespace':'default','name':'data'},'storageClassName':'standard','volumeMode':'Block'},'status':{'phase':'Bound'}}");
        assertEquals(List.of("pv-1", "5Gi", "ROX,RWOP", "Retain", "Bound", "default/data", "slow", "<unset>", "", "60m", "Block"),
                row(ResourceTypes.PERSISTENTVOLUMES, pv));
    }

    @Test
    void replicationControllersAndReplicaSets() {
        assertColumns(ResourceTypes.REPLICATIONCONTROLLERS, "Name", "Desired", "Current", "Ready", "Age", "Containers*", "Images*", "Selector*");
        assertColumns(ResourceTypes.REPLICASETS, "Name", "Desired", "Current", "Ready", "Age", "Containers*", "Images*", "Selector*");
        ObjectNode rc = object("'spec':{'replicas':3,'selector':{'app':'web'}," + TEMPLATE + "},'status':{'replicas':3,'readyReplicas':2}");
        assertEquals(List.of("web", 3L, 3L, 2L, "60m", "nginx,log", "nginx:1.27,fluent-bit:3", "app=web"),
                row(ResourceTypes.REPLICATIONCONTROLLERS, rc));
        ObjectNode rs = object("'spec':{'replicas':2,'selector':{'matchLabels':{'app':'web'},"
                + "'matchExpressions':[{'key':'env','operator':'In','values':['prod','dev']},{'key':'canary','operator':'DoesNotExist'}]},"
                + TEMPLATE + "},'status':{'replicas':1}");
        assertEquals(List.of("web", 2L, 1L, 0L, "60m", "nginx,log", "nginx:1.27,fluent-bit:3", "app=web,!canary,env in (dev,prod)"),
                row(ResourceTypes.REPLICASETS, rs));
    }

    @Test
    void deployments() {
        assertColumns(ResourceTypes.DEPLOYMENTS, "Name", "Ready", "Up-to-date", "Available", "Age", "Containers*", "Images*", "Selector*");
        ObjectNode d = object("'spec':{'replicas':3,'selector':{'matchLabels':{'app':'web'}}," + TEMPLATE + "},"
                + "'status':{'replicas':3,'readyReplicas':2,'updatedReplicas':3,'availableReplicas':2}");
        assertEquals(List.of("web", "2/3", 3L, 2L, "60m", "nginx,log", "nginx:1.27,fluent-bit:3", "app=web"), row(ResourceTypes.DEPLOYMENTS, d));
        assertEquals("0/1", row(ResourceTypes.DEPLOYMENTS, object("'spec':{'replicas':1}")).get(1));
    }

    @Test
    void statefulSets() {
        assertColumns(ResourceTypes.STATEFULSETS, "Name", "Ready", "Age", "Containers*", "Images*");
        ObjectNode s = object("'spec':{'replicas':3," + TEMPLATE + "},'status':{'readyReplicas':3}");
        assertEquals(List.of("web", "3/3", "60m", "nginx,log", "nginx:1.27,fluent-bit:3"), row(ResourceTypes.STATEFULSETS, s));
    }

    @Test
    void daemonSets() {
        assertColumns(ResourceTypes.DAEMONSETS, "Name", "Desired", "Current", "Ready", "Up-to-date", "Available", "Node Selector",
                "Age", "Containers*", "Images*", "Selector*");
        ObjectNode ds = object("'spec':{'selector':{'matchLabels':{'app':'web'}}," + TEMPLATE + "},'status':{'desiredNumberScheduled':4,"
                + "'currentNumberScheduled':4,'numberReady':3,'updatedNumberScheduled':2,'numberAvailable':3}");
        assertEquals(List.of("web", 4L, 4L, 3L, 2L, 3L, "disk=ssd", "60m", "nginx,log", "nginx:1.27,fluent-bit:3", "app=web"),
                row(ResourceTypes.DAEMONSETS, ds));
    }

    @Test
    void jobs() {
        assertColumns(ResourceTypes.JOBS, "Name", "Status", "Completions", "Duration", "Age", "Containers*", "Images*", "Selector*");
        ObjectNode done = object("'spec':{'completions':1,'parallelism':1,'selector':{'matchLabels':{'batch.kubernetes.io/controller-uid':'u1'}},"
                + TEMPLATE + "},'status':{'succeeded':1,'startTime':'2026-11-22T11:00:00Z','completionTime':'2026-11-22T11:00:42Z',"
                + "'conditions':[{'type':'Complete','status':'True'}]}");
        assertEquals(List.of("web", "Complete", "1/1", "42s", "60m", "nginx,log", "nginx:1.27,fluent-bit:3",
                "batch.kubernetes.io/controller-uid=u1"), row(ResourceTypes.JOBS, done));
        ObjectNode running = object("'spec':{'parallelism':3},'status':{'startTime':'2026-11-22T11:55:00Z'}");
        List<Object> cells = row(ResourceTypes.JOBS, running);
        assertEquals(List.of("Running", "0/1 of 3", "5m"), cells.subList(1, 4));
        ObjectNode failed = object("'spec':{'completions':2},'status':{'conditions':[{'type':'Failed','status':'True'}]}");
        assertEquals(List.of("Failed", "0/2", ""), row(ResourceTypes.JOBS, failed).subList(1, 4));
        ObjectNode suspended = object("'spec':{},'status':{'conditions':[{'type':'Suspended','status':'True'}]}");
        assertEquals("Suspended", row(ResourceTypes.JOBS, suspended).get(1));
    }

    @Test
    void cronJobs() {
        assertColumns(ResourceTypes.CRONJOBS, "Name", "Schedule", "Timezone", "Suspend", "Active", "Last Schedule", "Age",
                "Containers*", "Images*", "Selector*");
        ObjectNode cj = object("'spec':{'schedule':'*/5 * * * *','suspend':false,'jobTemplate':{'spec':{" + TEMPLATE + "}}},"
                + "'status':{'active':[{'name':'web-1'}],'lastScheduleTime':'2026-11-22T11:55:00Z'}");
        assertEquals(List.of("web", "*/5 * * * *", "<none>", "False", 1L, "5m", "60m", "nginx,log", "nginx:1.27,fluent-bit:3", "<none>"),
                row(ResourceTypes.CRONJOBS, cj));
        ObjectNode unset = object("'spec':{'schedule':'@hourly','timeZone':'Europe/Paris'}");
        assertEquals(List.of("@hourly", "Europe/Paris", "<unset>", 0L, "<none>"), row(ResourceTypes.CRONJOBS, unset).subList(1, 6));
    }
}
