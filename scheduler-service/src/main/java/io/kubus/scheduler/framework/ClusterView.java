package io.kubus.scheduler.framework;

import java.util.Collection;

/** Every node with its pods, as the scheduler sees them for one scheduling cycle. */
public interface ClusterView {
    Collection<NodeInfo> nodes();
}
