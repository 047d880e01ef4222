package io.kubus.gateway.table;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubus.schema.ResourceTypes;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.kubus.gateway.table.TableTestSupport.CREATED;
import static io.kubus.gateway.table.TableTestSupport.assertColumns;
import static io.kubus.gateway.table.TableTestSupport.json;
import static io.kubus.gateway.table.TableTestSupport.printer;
import static io.kubus.gateway.table.TableTestSupport.row;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * kubectl 1.32's columns (pkg/printers/internalversion/printers.go) for Ingresses, IngressClasses, NetworkPolicies,
 * StorageClasses, CSIDrivers, VolumeAttachments, PodTemplates, ControllerRevisions and EndpointSlices.
 */
class StoredKindPrintersTest {
    private static final String META = "'metadata':{'name':'web','namespace':'default','creationTimestamp':'" + CREATED + "'";

    private static ObjectNode object(String rest) {
        return json("{" + META + "}," + rest + "}");
    }

    @Test
    void ingresses() {
        assertColumns(ResourceTypes.INGRESSES, "Name", "Class", "Hosts", "Address", "Ports", "Age");
        ObjectNode ingress = object("'spec':{'ingressClassName':'nginx','rules':[{'host':'foo.com'},{'host':'bar.com'}],"
                + "'tls':[{'hosts':['foo.com']}]},'status':{'loadBalancer':{'ingress':[{'ip':'10.0.0.2'},{'hostname':'lb.example.com'},"
                + "{'ip':'10.0.0.1'}]}}");
        // not clipped to 16 bytes: kube-apiserver builds its Tables as for -o wide
        assertEquals(List.of("web", "nginx", "foo.com,bar.com", "10.0.0.1,10.0.0.2,lb.example.com", "80, 443", "60m"),
                row(ResourceTypes.INGRESSES, ingress));
        ObjectNode bare = object("'spec':{'defaultBackend':{'service':{'name':'svc'}}},'status':{'loadBalancer':{}}");
        assertEquals(List.of("web", "<none>", "*", "", "80", "60m"), row(ResourceTypes.INGRESSES, bare));
        ObjectNode many = object("'spec':{'rules':[{'host':'a.com'},{},{'host':'b.com'},{'host':'c.com'},{'host':'d.com'},{'host':'e.com'}]}");
        // formatHosts counts every rule past the third, host or not
        assertEquals("a.com,b.com,c.com + 3 more...", row(ResourceTypes.INGRESSES, many).get(2));
    }

    @Test
    void ingressClasses() {
        assertColumns(ResourceTypes.INGRESSCLASSES, "Name", "Controller", "Parameters", "Age");
        ObjectNode ingressClass = object("'spec':{'controller':'k8s.io/ingress-nginx','parameters':{'apiGroup':'k8s.example.com',"
                + "'kind':'IngressParameters','name':'external-lb','scope':'Cluster'}}");
        assertEquals(List.of("web", "k8s.io/ingress-nginx", "IngressParameters.k8s.example.com/external-lb", "60m"),
                row(ResourceTypes.INGRESSCLASSES, ingressClass));
        assertEquals(List.of("web", "example.com/lb", "<none>", "60m"),
                row(ResourceTypes.INGRESSCLASSES, object("'spec':{'controller':'example.com/lb'}")));
    }

    @Test
    void networkPolicies() {
        assertColumns(ResourceTypes.NETWORKPOLICIES, "Name", "Pod-Selector", "Age");
        assertEquals(List.of("web", "role=db,tier in (backend)", "60m"), row(ResourceTypes.NETWORKPOLICIES,
                object("'spec':{'podSelector':{'matchLabels':{'role':'db'},'matchExpressions':[{'key':'tier','operator':'In','values':['backend']}]}}")));
        assertEquals(List.of("web", "<none>", "60m"), row(ResourceTypes.NETWORKPOLICIES, object("'spec':{'podSelector':{}}")));
    }

    @Test
    void storageClasses() {
        assertColumns(ResourceTypes.STORAGECLASSES, "Name", "Provisioner", "ReclaimPolicy", "VolumeBindingMode",
                "AllowVolumeExpansion", "Age");
        assertEquals(List.of("web", "csi.example.com", "Delete", "Immediate", false, "60m"),
                row(ResourceTypes.STORAGECLASSES, object("'provisioner':'csi.example.com'")));
        ObjectNode standard = json("{'metadata':{'name':'standard','creationTimestamp':'" + CREATED + "','annotations':"
                + "{'storageclass.kubernetes.io/is-default-class':'true'}},'provisioner':'rancher.io/local-path',"
                + "'reclaimPolicy':'Retain','volumeBindingMode':'WaitForFirstConsumer','allowVolumeExpansion':true}");
        assertEquals(List.of("standard (default)", "rancher.io/local-path", "Retain", "WaitForFirstConsumer", true, "60m"),
                row(ResourceTypes.STORAGECLASSES, standard));
        standard.with("metadata").putObject("annotations").put("storageclass.beta.kubernetes.io/is-default-class", "true");
        assertEquals("standard (default)", row(ResourceTypes.STORAGECLASSES, standard).get(0));
        standard.with("metadata").putObject("annotations").put("storageclass.kubernetes.io/is-default-class", "yes");
        assertEquals("standard", row(ResourceTypes.STORAGECLASSES, standard).get(0));
    }

    @Test
    void csiDrivers() {
        assertColumns(ResourceTypes.CSIDRIVERS, "Name", "AttachRequired", "PodInfoOnMount", "StorageCapacity", "TokenRequests",
                "RequiresRepublish", "Modes", "Age");
        assertEquals(List.of("web", true, false, false, "<unset>", false, "Persistent", "60m"), row(ResourceTypes.CSIDRIVERS,
                object("'spec':{'attachRequired':true,'podInfoOnMount':false,'storageCapacity':false,'requiresRepublish':false,"
                        + "'volumeLifecycleModes':['Persistent']}")));
        assertEquals(List.of("web", false, true, true, "vault,gcp", true, "Persistent,Ephemeral", "60m"), row(ResourceTypes.CSIDRIVERS,
                object("'spec':{'attachRequired':false,'podInfoOnMount':true,'storageCapacity':true,'requiresRepublish':true,"
                        + "'tokenRequests':[{'audience':'vault'},{'audience':'gcp'}],'volumeLifecycleModes':['Persistent','Ephemeral']}")));
        assertEquals(List.of("web", true, false, false, "<unset>", false, "<none>", "60m"), row(ResourceTypes.CSIDRIVERS, object("'spec':{}")));
    }

    @Test
    void volumeAttachments() {
        assertColumns(ResourceTypes.VOLUMEATTACHMENTS, "Name", "Attacher", "PV", "Node", "Attached", "Age");
        assertEquals("name", printer(ResourceTypes.VOLUMEATTACHMENTS).columns().get(1).format(), "kube-apiserver formats the attacher as a name");
        assertEquals(List.of("web", "csi.example.com", "pv-1", "node-1", true, "60m"), row(ResourceTypes.VOLUMEATTACHMENTS,
                object("'spec':{'attacher':'csi.example.com','nodeName':'node-1','source':{'persistentVolumeName':'pv-1'}},"
                        + "'status':{'attached':true}")));
        assertEquals(List.of("web", "csi.example.com", "", "node-1", false, "60m"), row(ResourceTypes.VOLUMEATTACHMENTS,
                object("'spec':{'attacher':'csi.example.com','nodeName':'node-1','source':{'inlineVolumeSpec':{}}},'status':{'attached':false}")));
    }

    @Test
    void podTemplates() {
        assertColumns(ResourceTypes.PODTEMPLATES, "Name", "Containers", "Images", "Pod Labels");
        assertEquals(List.of("web", "nginx,log", "nginx:1.27,fluent-bit:3", "app=web,tier=frontend"), row(ResourceTypes.PODTEMPLATES,
                object("'template':{'metadata':{'labels':{'tier':'frontend','app':'web'}},'spec':{'containers':[{'name':'nginx',"
                        + "'image':'nginx:1.27'},{'name':'log','image':'fluent-bit:3'}]}}")));
        assertEquals(List.of("web", "c", "busybox", "<none>"), row(ResourceTypes.PODTEMPLATES,
                object("'template':{'spec':{'containers':[{'name':'c','image':'busybox'}]}}")));
    }

    @Test
    void controllerRevisions() {
        assertColumns(ResourceTypes.CONTROLLERREVISIONS, "Name", "Controller", "Revision", "Age");
        ObjectNode revision = json("{'metadata':{'name':'web-7d4b9c','creationTimestamp':'" + CREATED + "','ownerReferences':["
                + "{'apiVersion':'v1','kind':'Pod','name':'other','uid':'u0'},"
                + "{'apiVersion':'apps/v1','kind':'StatefulSet','name':'web','uid':'u1','controller':true}]},'revision':3}");
        assertEquals(List.of("web-7d4b9c", "statefulset.apps/web", 3L, "60m"), row(ResourceTypes.CONTROLLERREVISIONS, revision));
        ((ArrayNode) revision.at("/metadata/ownerReferences")).remove(1);
        assertEquals(List.of("web-7d4b9c", "<none>", 3L, "60m"), row(ResourceTypes.CONTROLLERREVISIONS, revision));
    }

    @Test
    void endpointSlices() {
        assertColumns(ResourceTypes.ENDPOINTSLICES, "Name", "AddressType", "Ports", "Endpoints", "Age");
        ObjectNode slice = object("'addressType':'IPv4','ports':[{'name':'http','port':80,'protocol':'TCP'},{'name':'https',"
                + "'port':443},{'name':'metrics'},{'port':9000}],'endpoints':[{'addresses':['10.0.0.1','10.0.0.2']},"
                + "{'addresses':['10.0.0.3','10.0.0.4']}]");
        assertEquals(List.of("web", "IPv4", "80,443,metrics + 1 more...", "10.0.0.1,10.0.0.2,10.0.0.3 + 1 more...", "60m"),
                row(ResourceTypes.ENDPOINTSLICES, slice));
        assertEquals(List.of("web", "IPv6", "<unset>", "<unset>", "60m"), row(ResourceTypes.ENDPOINTSLICES, object("'addressType':'IPv6'")));
        assertEquals("*", row(ResourceTypes.ENDPOINTSLICES, object("'addressType':'IPv4','ports':[{}]")).get(2));
    }
}
