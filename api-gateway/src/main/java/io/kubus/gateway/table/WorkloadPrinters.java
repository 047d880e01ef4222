package io.kubus.gateway.table;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static io.kubus.gateway.table.Cells.containerImages;
import static io.kubus.gateway.table.Cells.containerNames;
import static io.kubus.gateway.table.Cells.formatSelector;
import static io.kubus.gateway.table.Cells.labels;
import static io.kubus.gateway.table.Cells.name;
import static io.kubus.gateway.table.Cells.number;
import static io.kubus.gateway.table.Cells.text;
import static io.kubus.gateway.table.KindPrinter.columns;
import static io.kubus.gateway.table.TablePrinters.age;

/** Columns and cells of the controllers' kinds (apps/v1, batch/v1 and ReplicationController), after printers.go. */
final class WorkloadPrinters {
    private static final String AGE = "CreationTimestamp is a timestamp representing the server time when this object was created.";
    private static final String[] WIDE_CONTAINERS = {
            "Containers*", "string", "Names of each container in the template.",
            "Images*", "string", "Images referenced by each container in the template."};
    private static final String[] WIDE_SELECTOR = {
            "Selector*", "string", "A label query over pods that should match the replica count."};

    private WorkloadPrinters() {
    }

    private static String[] concat(String[]... parts) {
        List<String> out = new ArrayList<>();
        for (String[] p : parts) {
            out.addAll(List.of(p));
        }
        return out.toArray(String[]::new);
    }

    /** The columns shared by ReplicationControllers and ReplicaSets. */
    private static List<TableColumn> replicaColumns() {
        return columns(concat(new String[]{
                "Desired", "integer", "Number of desired pods.",
                "Current", "integer", "Number of actual replicas.",
                "Ready", "integer", "The number of ready replicas for this replica set.",
                "Age", "string", AGE}, WIDE_CONTAINERS, WIDE_SELECTOR));
    }

    static TablePrinter replicationControllers() {
        // A ReplicationController's selector is a plain label map, a ReplicaSet's a LabelSelector.
        return replicaPrinter(selector -> labels(selector));
    }

    static TablePrinter replicaSets() {
        return replicaPrinter(selector -> formatSelector(selector));
    }

    private static TablePrinter replicaPrinter(java.util.function.Function<JsonNode, String> selectorText) {
        return new KindPrinter(replicaColumns(), (o, now) -> {
            JsonNode template = o.path("spec").path("template").path("spec");
            return List.of(name(o), number(o, "/spec/replicas"), number(o, "/status/replicas"),
                    number(o, "/status/readyReplicas"), age(o, now), containerNames(template), containerImages(template),
                    selectorText.apply(o.path("spec").path("selector")));
        });
    }

    static TablePrinter deployments() {
        return new KindPrinter(columns(concat(new String[]{
                "Ready", "string", "Number of the pod with ready state",
                "Up-to-date", "integer", "Total number of non-terminated pods targeted by this deployment that have the desired template spec.",
                "Available", "integer", "Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.",
                "Age", "string", AGE}, WIDE_CONTAINERS, WIDE_SELECTOR)),
                (o, now) -> {
                    JsonNode template = o.path("spec").path("template").path("spec");
                    return List.of(name(o), number(o, "/status/readyReplicas") + "/" + number(o, "/spec/replicas"),
                            number(o, "/status/updatedReplicas"), number(o, "/status/availableReplicas"), age(o, now),
                            containerNames(template), containerImages(template), Cells.selector(o.path("spec").path("selector")));
                });
    }

    static TablePrinter statefulSets() {
        return new KindPrinter(columns(concat(new String[]{
                "Ready", "string", "Number of the pod with ready state",
                "Age", "string", AGE}, WIDE_CONTAINERS)),
                (o, now) -> {
                    JsonNode template = o.path("spec").path("template").path("spec");
                    return List.of(name(o), number(o, "/status/readyReplicas") + "/" + number(o, "/spec/replicas"),
                            age(o, now), containerNames(template), containerImages(template));
                });
    }

    static TablePrinter daemonSets() {
        return new KindPrinter(columns(concat(new String[]{
                "Desired", "integer", "The total number of nodes that should be running the daemon pod.",
                "Current", "integer", "The number of nodes that are running at least 1 daemon pod and are supposed to run the daemon pod.",
                "Ready", "integer", "numberReady is the number of nodes that should be running the daemon pod and have one or more of the daemon pod running and ready.",
                "Up-to-date", "integer", "The total number of nodes that are running updated daemon pod",
                "Available", "integer", "The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available (ready for at least spec.minReadySeconds)",
                "Node Selector", "string", "NodeSelector is a selector which must be true for the pod to fit on a node.",
                "Age", "string", AGE}, WIDE_CONTAINERS, WIDE_SELECTOR)),
                (o, now) -> {
                    JsonNode template = o.path("spec").path("template").path("spec");
                    return List.of(name(o), number(o, "/status/desiredNumberScheduled"),
                            number(o, "/status/currentNumberScheduled"), number(o, "/status/numberReady"),
                            number(o, "/status/updatedNumberScheduled"), number(o, "/status/numberAvailable"),
                            labels(template.path("nodeSelector")), age(o, now), containerNames(template),
                            containerImages(template), formatSelector(o.path("spec").path("selector")));
                });
    }

    static TablePrinter jobs() {
        return new KindPrinter(columns(concat(new String[]{
                "Status", "string", "Status of the job.",
                "Completions", "string", "The desired number of successfully finished pods the job should be run with.",
                "Duration", "string", "Time required to complete the job.",
                "Age", "string", AGE}, WIDE_CONTAINERS, WIDE_SELECTOR)),
                (o, now) -> {
                    JsonNode template = o.path("spec").path("template").path("spec");
                    return List.of(name(o), jobStatus(o), completions(o), duration(o, now), age(o, now),
                            containerNames(template), containerImages(template), formatSelector(o.path("spec").path("selector")));
                });
    }

    private static String completions(ObjectNode job) {
        long succeeded = number(job, "/status/succeeded");
        JsonNode completions = job.path("spec").path("completions");
        if (completions.isNumber()) {
            return succeeded + "/" + completions.asLong();
        }
        long parallelism = number(job, "/spec/parallelism");
        return parallelism > 1 ? succeeded + "/1 of " + parallelism : succeeded + "/1";
    }

    private static String duration(ObjectNode job, Instant now) {
        String start = text(job, "/status/startTime");
        if (start.isEmpty()) {
            return "";
        }
        String end = text(job, "/status/completionTime");
        try {
            Instant until = end.isEmpty() ? now : Instant.parse(end);
            return TablePrinters.humanDuration(Duration.between(Instant.parse(start), until));
        } catch (java.time.format.DateTimeParseException e) {
            return "<invalid>"; // a listing must not fail over one object's malformed status
        }
    }

    /** The first matching of Complete, Failed, deleting, Suspended, FailureTarget, SuccessCriteriaMet, else Running. */
    private static String jobStatus(ObjectNode job) {
        if (jobCondition(job, "Complete")) {
            return "Complete";
        }
        if (jobCondition(job, "Failed")) {
            return "Failed";
        }
        if (Cells.deleting(job)) {
            return "Terminating";
        }
        for (String c : List.of("Suspended", "FailureTarget", "SuccessCriteriaMet")) {
            if (jobCondition(job, c)) {
                return c;
            }
        }
        return "Running";
    }

    private static boolean jobCondition(ObjectNode job, String type) {
        for (JsonNode c : job.path("status").path("conditions")) {
            if (c.path("type").asText().equals(type) && c.path("status").asText().equals("True")) {
                return true;
            }
        }
        return false;
    }

    static TablePrinter cronJobs() {
        return new KindPrinter(columns(concat(new String[]{
                "Schedule", "string", "The schedule in Cron format, see https://en.wikipedia.org/wiki/Cron.",
                "Timezone", "string", "The time zone name for the given schedule, see https://en.wikipedia.org/wiki/List_of_tz_database_time_zones.",
                "Suspend", "boolean", "This flag tells the controller to suspend subsequent executions.",
                "Active", "integer", "A list of pointers to currently running jobs.",
                "Last Schedule", "string", "Information when was the last time the job was successfully scheduled.",
                "Age", "string", AGE}, WIDE_CONTAINERS, WIDE_SELECTOR)),
                (o, now) -> {
                    JsonNode jobSpec = o.path("spec").path("jobTemplate").path("spec");
                    JsonNode template = jobSpec.path("template").path("spec");
                    JsonNode suspend = o.path("spec").path("suspend");
                    String last = text(o, "/status/lastScheduleTime");
                    return List.of(name(o), text(o, "/spec/schedule"), Cells.or(text(o, "/spec/timeZone"), "<none>"),
                            suspend.isBoolean() ? (suspend.asBoolean() ? "True" : "False") : "<unset>",
                            (long) o.path("status").path("active").size(),
                            last.isEmpty() ? "<none>" : Cells.since(last, now), age(o, now),
                            containerNames(template), containerImages(template), formatSelector(jobSpec.path("selector")));
                });
    }
}
