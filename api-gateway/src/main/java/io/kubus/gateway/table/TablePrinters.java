package io.kubus.gateway.table;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubus.schema.ResourceType;
import jakarta.inject.Singleton;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;

/**
 * Chooses the table printer of a kind: the columns of pkg/printers/internalversion/printers.go. Kinds without their
 * own columns get Name and Age, as kubectl shows them. Cells are computed as the apiserver does, which always
 * generates the wide cells and lets kubectl hide priority-1 columns.
 */
@Singleton
public class TablePrinters {
    private static final TablePrinter DEFAULT = new TablePrinter() {
        @Override
        public List<TableColumn> columns() {
            return List.of(TableColumn.nameColumn(), TableColumn.of("Age", "string", 0, "CreationTimestamp"));
        }

        @Override
        public List<Object> cells(ObjectNode object, Instant now) {
            return List.of(object.path("metadata").path("name").asText(), age(object, now));
        }
    };

    /** Printers by kind; built per instance, as the module keeps no static mutable state. */
    private final Map<String, TablePrinter> byKind = Map.ofEntries(
            Map.entry("Pod", new PodPrinter()),
            Map.entry("Namespace", CorePrinters.namespaces()),
            Map.entry("Node", CorePrinters.nodes()),
            Map.entry("Event", CorePrinters.events()),
            Map.entry("Service", CorePrinters.services()),
            Map.entry("Endpoints", CorePrinters.endpoints()),
            Map.entry("Secret", CorePrinters.secrets()),
            Map.entry("ConfigMap", CorePrinters.configMaps()),
            Map.entry("PersistentVolumeClaim", CorePrinters.persistentVolumeClaims()),
            Map.entry("PersistentVolume", CorePrinters.persistentVolumes()),
            Map.entry("ReplicationController", WorkloadPrinters.replicationControllers()),
            Map.entry("ReplicaSet", WorkloadPrinters.replicaSets()),
            Map.entry("Deployment", WorkloadPrinters.deployments()),
            Map.entry("StatefulSet", WorkloadPrinters.statefulSets()),
            Map.entry("DaemonSet", WorkloadPrinters.daemonSets()),
            Map.entry("Job", WorkloadPrinters.jobs()),
            Map.entry("CronJob", WorkloadPrinters.cronJobs()));

    public TablePrinter forType(ResourceType type) {
        return byKind.getOrDefault(type.kind(), DEFAULT);
    }

    /** The age of an object as kubectl prints it (k8s.io/apimachinery/pkg/util/duration.HumanDuration). */
    public static String age(ObjectNode object, Instant now) {
        String ts = object.path("metadata").path("creationTimestamp").asText("");
        if (ts.isEmpty()) {
            return "<unknown>";
        }
        try {
            return humanDuration(Duration.between(Instant.parse(ts), now));
        } catch (DateTimeParseException e) {
            return "<invalid>";
        }
    }

    public static String humanDuration(Duration d) {
        long seconds = d.getSeconds();
        if (seconds < 0) {
            return "0s";
        }
        if (seconds < 120) {
            return seconds + "s";
        }
        long minutes = seconds / 60;
        if (minutes < 10) {
            long s = seconds % 60;
            return s == 0 ? minutes + "m" : minutes + "m" + s + "s";
        }
        if (minutes < 180) {
            return minutes + "m";
        }
        long hours = minutes / 60;
        if (hours < 8) {
            long m = minutes % 60;
            return m == 0 ? hours + "h" : hours + "h" + m + "m";
        }
        if (hours < 48) {
            return hours + "h";
        }
        long days = hours / 24;
        if (days < 8) {
            long h = hours % 24;
            return h == 0 ? days + "d" : days + "d" + h + "h";
        }
        if (days < 365 * 2) {
            return days + "d";
        }
        long years = days / 365;
        if (years < 8) {
            long dd = days % 365;
            return dd == 0 ? years + "y" : years + "y" + dd + "d";
        }
        return years + "y";
    }
}
