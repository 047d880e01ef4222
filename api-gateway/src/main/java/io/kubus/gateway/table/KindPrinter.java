package io.kubus.gateway.table;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;

/** A printer made of a column list and a cell function, for kinds whose cells are simple to compute. */
public record KindPrinter(List<TableColumn> columns, BiFunction<ObjectNode, Instant, List<Object>> cellFunction)
        implements TablePrinter {

    @Override
    public List<Object> cells(ObjectNode object, Instant now) {
        return cellFunction.apply(object, now);
    }

    /** Builds the column list: the name column first, then {@code name, type} pairs; a trailing "*" marks -o wide. */
    public static List<TableColumn> columns(String... nameTypeDescription) {
        List<TableColumn> out = new ArrayList<>();
        out.add(TableColumn.nameColumn());
        for (int i = 0; i < nameTypeDescription.length; i += 3) {
            String name = nameTypeDescription[i];
            boolean wide = name.endsWith("*");
            out.add(TableColumn.of(wide ? name.substring(0, name.length() - 1) : name, nameTypeDescription[i + 1],
                    wide ? 1 : 0, nameTypeDescription[i + 2]));
        }
        return List.copyOf(out);
    }
}
