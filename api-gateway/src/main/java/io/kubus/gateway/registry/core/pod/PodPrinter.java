package io.kubus.gateway.registry.core.pod;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubus.gateway.table.Cells;
import io.kubus.gateway.table.KindPrinter;
import io.kubus.gateway.table.TableColumn;
import io.kubus.gateway.table.TablePrinter;
import io.kubus.gateway.table.TablePrinters;

import io.kubus.schema.pod.PodPhases;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static io.kubus.gateway.table.Cells.or;
import static io.kubus.gateway.table.Cells.since;
import static io.kubus.gateway.table.Cells.text;

/**
 * The pod row as printPod computes it: the STATUS column is not the phase but the most telling reason among the
 * pod's, its init containers' and its containers' states, because that is what users debug with.
 */
public final class PodPrinter implements TablePrinter {
    private static final List<TableColumn> COLUMNS = KindPrinter.columns(
            "Ready", "string", "The aggregate readiness state of this pod for accepting traffic.",
            "Status", "string", "The aggregate status of the containers in this pod.",
            "Restarts", "string", "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.",
            "Age", "string", "CreationTimestamp is a timestamp representing the server time when this object was created.",
            "IP*", "string", "IP address allocated to the pod. Routable at least within the cluster.",
            "Node*", "string", "NodeName indicates in which node this pod is scheduled.",
            "Nominated Node*", "string", "nominatedNodeName is set when this pod preempts other pods on the node.",
            "Readiness Gates*", "string", "If specified, all readiness gates will be evaluated for pod readiness.");

    @Override
    public List<TableColumn> columns() {
        return COLUMNS;
    }

    @Override
    public List<Object> cells(ObjectNode pod, Instant now) {
        JsonNode spec = pod.path("spec");
        JsonNode status = pod.path("status");
        String phase = text(status, "/phase");
        String reason = or(text(status, "/reason"), phase);
        for (JsonNode c : status.path("conditions")) {
            if (c.path("type").asText().equals("PodScheduled") && c.path("reason").asText().equals("SchedulingGated")) {
                reason = "SchedulingGated";
            }
        }
        Set<String> sidecars = new HashSet<>();
        int total = spec.path("containers").size();
        for (JsonNode c : spec.path("initContainers")) {
            if (c.path("restartPolicy").asText().equals("Always")) {
                sidecars.add(c.path("name").asText());
                total++;
            }
        }
        int ready = 0;
        long restarts = 0;
        long sidecarRestarts = 0;
        String lastRestart = "";
        String lastSidecarRestart = "";
        boolean initializing = false;
        JsonNode initStatuses = status.path("initContainerStatuses");
        for (int i = 0; i < initStatuses.size(); i++) {
            JsonNode c = initStatuses.get(i);
            restarts += c.path("restartCount").asLong();
            String finished = text(c, "/lastState/terminated/finishedAt");
            lastRestart = later(lastRestart, finished);
            boolean sidecar = sidecars.contains(c.path("name").asText());
            if (sidecar) {
                sidecarRestarts += c.path("restartCount").asLong();
                lastSidecarRestart = later(lastSidecarRestart, finished);
            }
            JsonNode terminated = c.path("state").path("terminated");
            String waiting = text(c, "/state/waiting/reason");
            if (!terminated.isMissingNode() && terminated.path("exitCode").asInt() == 0) {
                continue;
            }
            if (sidecar && c.path("started").asBoolean(false)) {
                if (c.path("ready").asBoolean(false)) {
                    ready++;
                }
                continue;
            }
            if (!terminated.isMissingNode()) {
                reason = terminated.path("reason").asText("").isEmpty()
                        ? terminated.path("signal").asInt() != 0 ? "Init:Signal:" + terminated.path("signal").asInt()
                        : "Init:ExitCode:" + terminated.path("exitCode").asInt()
                        : "Init:" + terminated.path("reason").asText();
            } else if (!waiting.isEmpty() && !waiting.equals("PodInitializing")) {
                reason = "Init:" + waiting;
            } else {
                reason = "Init:" + i + "/" + spec.path("initContainers").size();
            }
            initializing = true;
            break;
        }
        if (!initializing || conditionTrue(status, "Initialized")) {
            restarts = sidecarRestarts;
            lastRestart = lastSidecarRestart;
            boolean hasRunning = false;
            JsonNode statuses = status.path("containerStatuses");
            for (int i = statuses.size() - 1; i >= 0; i--) {
                JsonNode c = statuses.get(i);
                restarts += c.path("restartCount").asLong();
                lastRestart = later(lastRestart, text(c, "/lastState/terminated/finishedAt"));
                JsonNode terminated = c.path("state").path("terminated");
                String waiting = text(c, "/state/waiting/reason");
                if (!waiting.isEmpty()) {
                    reason = waiting;
                } else if (!terminated.isMissingNode() && !terminated.path("reason").asText("").isEmpty()) {
                    reason = terminated.path("reason").asText();
                } else if (!terminated.isMissingNode()) {
                    reason = terminated.path("signal").asInt() != 0 ? "Signal:" + terminated.path("signal").asInt()
                            : "ExitCode:" + terminated.path("exitCode").asInt();
                } else if (c.path("ready").asBoolean(false) && c.path("state").has("running")) {
                    hasRunning = true;
                    ready++;
                }
            }
            // a pod whose last container completed while another still runs is not done
            if (reason.equals("Completed") && hasRunning) {
                reason = conditionTrue(status, "Ready") ? "Running" : "NotReady";
            }
        }
        if (Cells.deleting(pod) && text(status, "/reason").equals("NodeLost")) {
            reason = "Unknown";
        } else if (Cells.deleting(pod) && !PodPhases.isTerminal(phase)) {
            reason = "Terminating";
        }
        String restartsCell = restarts != 0 && !lastRestart.isEmpty()
                ? restarts + " (" + since(lastRestart, now) + " ago)" : String.valueOf(restarts);

        String ip = text(status, "/podIPs/0/ip");
        if (ip.isEmpty()) {
            ip = text(status, "/podIP");
        }
        String gates = "<none>";
        JsonNode readinessGates = spec.path("readinessGates");
        if (!readinessGates.isEmpty()) {
            int satisfied = 0;
            for (JsonNode gate : readinessGates) {
                if (conditionTrue(status, gate.path("conditionType").asText())) {
                    satisfied++;
                }
            }
            gates = satisfied + "/" + readinessGates.size();
        }
        return List.of(Cells.name(pod), ready + "/" + total, reason, restartsCell, TablePrinters.age(pod, now),
                or(ip, "<none>"), or(text(spec, "/nodeName"), "<none>"), or(text(status, "/nominatedNodeName"), "<none>"),
                gates);
    }

    private static String later(String a, String b) {
        if (b.isEmpty()) {
            return a;
        }
        if (a.isEmpty()) {
            return b;
        }
        try {
            return Instant.parse(b).isAfter(Instant.parse(a)) ? b : a;
        } catch (java.time.format.DateTimeParseException e) {
            return a;
        }
    }

    /** The first condition of the type decides, as printPod's loops break on it. */
    private static boolean conditionTrue(JsonNode status, String type) {
        for (JsonNode c : status.path("conditions")) {
            if (c.path("type").asText().equals(type)) {
                return c.path("status").asText().equals("True");
            }
        }
        return false;
    }
}
