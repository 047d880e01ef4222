package io.kubus.gateway.table;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.List;

/**
 * What every kind's printer shares: the printer of kinds printers.go has no columns for, and the age of an object as
 * kubectl prints it. A kind's own columns (pkg/printers/internalversion/printers.go) live with its strategy.
 */
public final class TablePrinters {
    /** The description kube-apiserver gives every Age column. */
    public static final String AGE = "CreationTimestamp is a timestamp representing the server time when this object was created.";
    /** Go's zero time in RFC 3339, what the default printer shows for an object without a creation time. */
    private static final String ZERO_TIME = "0001-01-01T00:00:00Z";

    /**
     * kube-apiserver's default table convertor (k8s.io/apiserver rest.NewDefaultTableConvertor), which prints the
     * kinds without columns of their own (Roles, ClusterRoles): the name and the creation time in RFC 3339, UTC.
     */
    public static final TablePrinter DEFAULT = new KindPrinter(
            List.of(TableColumn.nameColumn(), TableColumn.of("Created At", "date", 0, AGE)),
            (object, now) -> List.of(object.path("metadata").path("name").asText(), createdAt(object)));

    private TablePrinters() {
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

    private static String createdAt(ObjectNode object) {
        String ts = object.path("metadata").path("creationTimestamp").asText("");
        if (ts.isEmpty()) {
            return ZERO_TIME;
        }
        try {
            return Instant.parse(ts).truncatedTo(ChronoUnit.SECONDS).toString();
        } catch (DateTimeParseException e) {
            return ts;
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
