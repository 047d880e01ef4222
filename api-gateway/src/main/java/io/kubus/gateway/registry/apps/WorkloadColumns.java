package io.kubus.gateway.registry.apps;

import com.fasterxml.jackson.databind.JsonNode;
import io.kubus.gateway.table.KindPrinter;
import io.kubus.gateway.table.TableColumn;
import io.kubus.gateway.table.TablePrinter;
import io.kubus.gateway.table.TablePrinters;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import static io.kubus.gateway.table.Cells.containerImages;
import static io.kubus.gateway.table.Cells.containerNames;
import static io.kubus.gateway.table.Cells.name;
import static io.kubus.gateway.table.Cells.number;

/** The table columns the controllers' kinds share (printers.go): wide container and selector columns, replica counts. */
public final class WorkloadColumns {
    public static final String[] WIDE_CONTAINERS = {
            "Containers*", "string", "Names of each container in the template.",
            "Images*", "string", "Images referenced by each container in the template."};
    public static final String[] WIDE_SELECTOR = {
            "Selector*", "string", "A label query over pods that should match the replica count."};

    private WorkloadColumns() {
    }

    /** The column list of {@code own} columns followed by the wide ones given. */
    public static List<TableColumn> columns(String[]... parts) {
        List<String> all = new ArrayList<>();
        for (String[] p : parts) {
            all.addAll(List.of(p));
        }
        return KindPrinter.columns(all.toArray(String[]::new));
    }

    /** The printer ReplicationControllers and ReplicaSets share; they differ in how their selector prints. */
    public static TablePrinter replicas(Function<JsonNode, String> selectorText) {
        return new KindPrinter(columns(new String[]{
                "Desired", "integer", "Number of desired pods.",
                "Current", "integer", "Number of actual replicas.",
                "Ready", "integer", "The number of ready replicas for this replica set.",
                "Age", "string", TablePrinters.AGE}, WIDE_CONTAINERS, WIDE_SELECTOR),
                (o, now) -> {
                    JsonNode template = o.path("spec").path("template").path("spec");
                    return List.of(name(o), number(o, "/spec/replicas"), number(o, "/status/replicas"),
                            number(o, "/status/readyReplicas"), TablePrinters.age(o, now), containerNames(template),
                            containerImages(template), selectorText.apply(o.path("spec").path("selector")));
                });
    }
}
