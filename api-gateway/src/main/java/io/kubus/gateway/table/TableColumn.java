package io.kubus.gateway.table;

/**
 * One column of a server-side Table, as meta.k8s.io/v1 TableColumnDefinition.
 *
 * @param name     header kubectl prints upper-cased
 * @param type     string, integer, date, ...
 * @param format   "name" for the name column (gives kubectl its kind/name prefix), else ""
 * @param priority 0 always shown, 1 only with {@code -o wide}
 */
public record TableColumn(String name, String type, String format, int priority, String description) {
    public static TableColumn of(String name, String type, int priority, String description) {
        return new TableColumn(name, type, "", priority, description);
    }

    public static TableColumn nameColumn() {
        return new TableColumn("Name", "string", "name", 0, "Name must be unique within a namespace.");
    }
}
