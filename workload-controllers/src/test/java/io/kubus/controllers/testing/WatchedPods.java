package io.kubus.controllers.testing;

import io.fabric8.kubernetes.api.model.Pod;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/** The states a watcher saw the pods in, replayable in the order the store committed them. */
public interface WatchedPods {
    void replay(Consumer<Map<String, Pod>> check);

    /**
     * The order in which the watcher first saw each pod being deleted: terminating, gone, or made anew under its
     * name (a StatefulSet's ordinal replaced between two states).
     */
    default List<String> deletionOrder() {
        List<String> order = new ArrayList<>();
        Map<String, String> uids = new HashMap<>();
        replay(state -> {
            Map<String, String> now = new HashMap<>();
            for (Pod p : state.values()) {
                now.put(p.getMetadata().getName(), p.getMetadata().getUid());
                if (p.getMetadata().getDeletionTimestamp() != null && !order.contains(p.getMetadata().getName())) {
                    order.add(p.getMetadata().getName());
                }
            }
            uids.forEach((name, uid) -> {
                if (!uid.equals(now.get(name)) && !order.contains(name)) {
                    order.add(name);
                }
            });
            uids.clear();
            uids.putAll(now);
        });
        return order;
    }
}
