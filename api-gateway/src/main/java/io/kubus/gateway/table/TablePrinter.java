package io.kubus.gateway.table;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Instant;
import java.util.List;

/** The columns kubectl users know for one kind, and how one object fills them. */
public interface TablePrinter {
    List<TableColumn> columns();

    /** One row's cells, in column order; strings or numbers. */
    List<Object> cells(ObjectNode object, Instant now);
}
