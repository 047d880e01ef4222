package io.kubus.gateway.registry.core;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubus.gateway.registry.Strategy;
import io.kubus.gateway.table.KindPrinter;
import io.kubus.gateway.table.TablePrinter;
import io.kubus.gateway.table.TablePrinters;
import io.kubus.schema.ResourceType;
import io.kubus.schema.ResourceTypes;
import io.kubus.schema.validation.ErrorList;
import jakarta.inject.Singleton;

import java.util.List;

import static io.kubus.gateway.registry.JsonTree.objOrNull;
import static io.kubus.gateway.table.Cells.name;

/** ConfigMaps (pkg/registry/core/configmap). */
@Singleton
public class ConfigMapStrategy implements Strategy {
    private static final TablePrinter PRINTER = new KindPrinter(
            KindPrinter.columns("Data", "string", "Number of data in the configmap", "Age", "string", TablePrinters.AGE),
            (o, now) -> List.of(name(o), (long) (o.path("data").size() + o.path("binaryData").size()), TablePrinters.age(o, now)));

    @Override
    public ResourceType type() {
        return ResourceTypes.CONFIGMAPS;
    }

    @Override
    public void validate(ObjectNode cm, ErrorList errs) {
        ConfigData.validate(objOrNull(cm, "data"), objOrNull(cm, "binaryData"), errs);
    }

    @Override
    public void validateUpdate(ObjectNode cm, ObjectNode old, ErrorList errs) {
        ConfigData.validateImmutable(cm, old, errs);
    }

    @Override
    public TablePrinter printer() {
        return PRINTER;
    }
}
