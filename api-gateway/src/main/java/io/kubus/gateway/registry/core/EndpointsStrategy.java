package io.kubus.gateway.registry.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubus.gateway.registry.Strategy;
import io.kubus.gateway.table.KindPrinter;
import io.kubus.gateway.table.TablePrinter;
import io.kubus.gateway.table.TablePrinters;
import io.kubus.schema.ResourceType;
import io.kubus.schema.ResourceTypes;
import jakarta.inject.Singleton;

import java.util.ArrayList;
import java.util.List;

import static io.kubus.gateway.table.Cells.name;
import static io.kubus.gateway.table.Cells.or;

/** Endpoints (pkg/registry/core/endpoint). */
@Singleton
public class EndpointsStrategy implements Strategy {
    private static final TablePrinter PRINTER = new KindPrinter(KindPrinter.columns("Endpoints", "string",
            "Endpoints of the service", "Age", "string", TablePrinters.AGE),
            (o, now) -> List.of(name(o), formatEndpoints(o), TablePrinters.age(o, now)));

    @Override
    public ResourceType type() {
        return ResourceTypes.ENDPOINTS;
    }

    @Override
    public TablePrinter printer() {
        return PRINTER;
    }


    /** formatEndpoints: up to three ip:port pairs, then "+ N more...". */
    private static String formatEndpoints(ObjectNode endpoints) {
        final int max = 3;
        List<String> list = new ArrayList<>();
        int count = 0;
        boolean more = false;
        for (JsonNode subset : endpoints.path("subsets")) {
            JsonNode addresses = subset.path("addresses");
            if (subset.path("ports").isEmpty()) {
                count += addresses.size();
                for (JsonNode a : addresses) {
                    if (list.size() == max) {
                        more = true;
                        break;
                    }
                    list.add(a.path("ip").asText());
                }
                continue;
            }
            for (JsonNode port : subset.path("ports")) {
                count += addresses.size();
                for (JsonNode a : addresses) {
                    if (list.size() == max) {
                        more = true;
                        break;
                    }
                    String ip = a.path("ip").asText();
                    list.add((ip.contains(":") ? "[" + ip + "]" : ip) + ":" + port.path("port").asLong());
                }
            }
        }
        String joined = String.join(",", list);
        if (more) {
            return joined + " + " + (count - max) + " more...";
        }
        return or(joined, "<none>");
    }

}
