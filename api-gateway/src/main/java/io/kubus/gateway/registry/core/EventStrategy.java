package io.kubus.gateway.registry.core;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubus.gateway.registry.Strategy;
import io.kubus.gateway.table.KindPrinter;
import io.kubus.gateway.table.TableColumn;
import io.kubus.gateway.table.TablePrinter;
import io.kubus.schema.ResourceType;
import io.kubus.schema.ResourceTypes;
import jakarta.inject.Singleton;

import java.util.List;
import java.util.Locale;
import java.util.Set;

import static io.kubus.gateway.table.Cells.name;
import static io.kubus.gateway.table.Cells.or;
import static io.kubus.gateway.table.Cells.since;
import static io.kubus.gateway.table.Cells.text;

/** Events (pkg/registry/core/event): recorded by every component, listed by kubectl get events and describe. */
@Singleton
public class EventStrategy implements Strategy {
    private static final TablePrinter PRINTER = columns();
    private static final Set<String> SELECTABLE = Set.of("involvedObject.kind", "involvedObject.namespace",
            "involvedObject.name", "involvedObject.uid", "involvedObject.apiVersion", "involvedObject.resourceVersion",
            "involvedObject.fieldPath", "reason", "reportingComponent", "source", "type");

    @Override
    public ResourceType type() {
        return ResourceTypes.EVENTS;
    }

    @Override
    public TablePrinter printer() {
        return PRINTER;
    }

    @Override
    public Set<String> selectableFields() {
        return SELECTABLE;
    }


    private static TablePrinter columns() {
        List<TableColumn> cols = List.of(
                TableColumn.of("Last Seen", "string", 0, "The last time that the event was recorded."),
                TableColumn.of("Type", "string", 0, "Type of this event (Normal, Warning), new types could be added in the future"),
                TableColumn.of("Reason", "string", 0, "This should be a short, machine understandable string that gives the reason for the transition into the object's current status."),
                TableColumn.of("Object", "string", 0, "The object that this event is about."),
                TableColumn.of("Subobject", "string", 1, "The field of the object the event is about, e.g. spec.containers{name}."),
                TableColumn.of("Source", "string", 1, "The component reporting this event. Should be a short machine understandable string."),
                TableColumn.of("Message", "string", 0, "A human-readable description of the status of this operation."),
                TableColumn.of("First Seen", "string", 1, "The time at which the event was first recorded."),
                TableColumn.of("Count", "string", 1, "The number of times this event has occurred."),
                new TableColumn("Name", "string", "name", 1, "Name must be unique within a namespace."));
        return new KindPrinter(cols, (o, now) -> {
            String first = text(o, "/firstTimestamp").isEmpty() ? since(text(o, "/eventTime"), now)
                    : since(text(o, "/firstTimestamp"), now);
            String last = text(o, "/lastTimestamp").isEmpty() ? first : since(text(o, "/lastTimestamp"), now);
            long count = o.path("count").asLong(0);
            if (o.path("series").isObject()) {
                last = since(text(o, "/series/lastObservedTime"), now);
                count = o.path("series").path("count").asLong(0);
            } else if (count == 0) {
                count = 1;
            }
            String kind = text(o, "/involvedObject/kind").toLowerCase(Locale.ROOT);
            String involved = text(o, "/involvedObject/name");
            String target = involved.isEmpty() ? kind : kind + "/" + involved;
            String component = or(text(o, "/source/component"), text(o, "/reportingComponent"));
            String instance = or(text(o, "/source/host"), text(o, "/reportingInstance"));
            String source = component.isEmpty() ? "<unknown>" : instance.isEmpty() ? component : component + ", " + instance;
            return List.of(last, text(o, "/type"), text(o, "/reason"), target, text(o, "/involvedObject/fieldPath"), source,
                    text(o, "/message").strip(), first, count, name(o));
        });
    }

}
