package io.kubus.gateway.table;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubus.schema.ResourceTypes;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.kubus.gateway.table.TableTestSupport.CREATED;
import static io.kubus.gateway.table.TableTestSupport.assertColumns;
import static io.kubus.gateway.table.TableTestSupport.json;
import static io.kubus.gateway.table.TableTestSupport.row;
import static org.junit.jupiter.api.Assertions.assertEquals;

class PodPrinterTest {

    private static ObjectNode pod(String status) {
        return json("{'metadata':{'name':'web','namespace':'default','creationTimestamp':'" + CREATED + "'},"
                + "'spec':{'nodeName':'node-1','containers':[{'name':'app','image':'nginx'},{'name':'sidecar','image':'envoy'}]},"
                + "'status':" + status + "}");
    }

    @Test
    void columns() {
        assertColumns(ResourceTypes.PODS, "Name", "Ready", "Status", "Restarts", "Age", "IP*", "Node*", "Nominated Node*", "Readiness Gates*");
        assertEquals("name", TableTestSupport.printer(ResourceTypes.PODS).columns().get(0).format());
    }

    @Test
    void runningWithRecentRestart() {
        ObjectNode p = pod("{'phase':'Running','podIP':'10.244.0.17','podIPs':[{'ip':'10.244.0.17'}],"
                + "'conditions':[{'type':'Ready','status':'True'}],'containerStatuses':["
                + "{'name':'app','ready':true,'restartCount':2,'state':{'running':{}},"
                + "'lastState':{'terminated':{'exitCode':1,'finishedAt':'2026-11-22T11:55:00Z'}}},"
                + "{'name':'sidecar','ready':true,'restartCount':0,'state':{'running':{}}}]}");
        assertEquals(List.of("web", "2/2", "Running", "2 (5m ago)", "60m", "10.244.0.17", "node-1", "<none>", "<none>"),
                row(ResourceTypes.PODS, p));
    }

    @Test
    void pendingUnscheduled() {
        ObjectNode p = json("{'metadata':{'name':'web','creationTimestamp':'" + CREATED + "'},"
                + "'spec':{'containers':[{'name':'app','image':'nginx'}]},'status':{'phase':'Pending'}}");
        assertEquals(List.of("web", "0/1", "Pending", "0", "60m", "<none>", "<none>", "<none>", "<none>"),
                row(ResourceTypes.PODS, p));
    }

    @Test
    void waitingReasonWins() {
        ObjectNode p = pod("{'phase':'Running','containerStatuses':["
                + "{'name':'app','ready':false,'restartCount':7,'state':{'waiting':{'reason':'CrashLoopBackOff'}},"
                + "'lastState':{'terminated':{'exitCode':1,'finishedAt':'2026-11-22T11:58:00Z'}}},"
                + "{'name':'sidecar','ready':true,'restartCount':0,'state':{'running':{}}}]}");
        List<Object> cells = row(ResourceTypes.PODS, p);
        assertEquals("1/2", cells.get(1));
        assertEquals("CrashLoopBackOff", cells.get(2));
        assertEquals("7 (2m ago)", cells.get(3));
    }

    @Test
    void initContainerProgress() {
        ObjectNode p = json("{'metadata':{'name':'web','creationTimestamp':'" + CREATED + "'},"
                + "'spec':{'initContainers':[{'name':'init','image':'busybox'}],'containers':[{'name':'app','image':'nginx'}]},"
                + "'status':{'phase':'Pending','initContainerStatuses':[{'name':'init','restartCount':0,'state':{'running':{}}}],"
                + "'containerStatuses':[{'name':'app','restartCount':0,'state':{'waiting':{'reason':'PodInitializing'}}}]}}");
        assertEquals("Init:0/1", row(ResourceTypes.PODS, p).get(2));
        ((ObjectNode) p.at("/status/initContainerStatuses/0")).set("state", json("{'waiting':{'reason':'ImagePullBackOff'}}"));
        assertEquals("Init:ImagePullBackOff", row(ResourceTypes.PODS, p).get(2));
        ((ObjectNode) p.at("/status/initContainerStatuses/0")).set("state", json("{'terminated':{'exitCode':3}}"));
        assertEquals("Init:ExitCode:3", row(ResourceTypes.PODS, p).get(2));
    }

    @Test
    void completedAndTerminating() {
        ObjectNode done = pod("{'phase':'Succeeded','containerStatuses':["
                + "{'name':'app','ready':false,'restartCount':0,'state':{'terminated':{'exitCode':0,'reason':'Completed'}}},"
                + "{'name':'sidecar','ready':false,'restartCount':0,'state':{'terminated':{'exitCode':0,'reason':'Completed'}}}]}");
        assertEquals("Completed", row(ResourceTypes.PODS, done).get(2));
        assertEquals("0/2", row(ResourceTypes.PODS, done).get(1));

        ObjectNode deleting = pod("{'phase':'Running','containerStatuses':[{'name':'app','ready':true,'restartCount':0,'state':{'running':{}}},"
                + "{'name':'sidecar','ready':true,'restartCount':0,'state':{'running':{}}}]}");
        ((ObjectNode) deleting.get("metadata")).put("deletionTimestamp", "2026-11-22T11:59:00Z");
        assertEquals("Terminating", row(ResourceTypes.PODS, deleting).get(2));
    }

    @Test
    void completedWithARunningContainerIsRunningOrNotReady() {
        ObjectNode p = pod("{'phase':'Running','conditions':[{'type':'Ready','status':'False'}],'containerStatuses':["
                + "{'name':'app','ready':false,'restartCount':0,'state':{'terminated':{'exitCode':0,'reason':'Completed'}}},"
                + "{'name':'sidecar','ready':true,'restartCount':0,'state':{'running':{}}}]}");
        assertEquals("NotReady", row(ResourceTypes.PODS, p).get(2));
    }

    @Test
    void readinessGatesAndNominatedNode() {
        ObjectNode p = pod("{'phase':'Running','nominatedNodeName':'node-2','conditions':[{'type':'example.com/lb','status':'True'}]}");
        ((ObjectNode) p.get("spec")).set("readinessGates", json("{'g':[{'conditionType':'example.com/lb'},{'conditionType':'example.com/dns'}]}").get("g"));
        List<Object> cells = row(ResourceTypes.PODS, p);
        assertEquals("node-2", cells.get(7));
        assertEquals("1/2", cells.get(8));
    }
}
