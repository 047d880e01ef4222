package io.kubus.client.informer;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.kubus.client.api.KubusApi;
import io.kubus.client.kafka.KafkaClientConfig;
import io.kubus.schema.ResourceType;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One informer per kind, shared by every controller of a process (client-go's SharedInformerFactory): a kind is
 * listed and consumed once however many controllers read it. Ask for informers and add handlers first, then
 * {@link #start()}. Each controller adds the {@link Index indexes} it reads; one that another added already is shared.
 */
public final class SharedInformers implements AutoCloseable {
    private final KubusApi api;
    private final KafkaClientConfig kafka;
    private final String namePrefix;
    private final Map<ResourceType, Informer<?>> informers = new LinkedHashMap<>();

    public SharedInformers(KubusApi api, KafkaClientConfig kafka, String namePrefix) {
        this.api = api;
        this.kafka = kafka;
        this.namePrefix = namePrefix;
    }

    /**
     * The informer of {@code type}, made on first request; not started until {@link #start()}. One first requested
     * after that (a custom kind defined at run time) is the caller's to start, once its handlers are added.
     */
    @SuppressWarnings("unchecked")
    public synchronized <T extends HasMetadata> Informer<T> informer(ResourceType type, Class<T> cls) {
        Informer<?> existing = informers.get(type);
        if (existing != null) {
            return (Informer<T>) existing;
        }
        Informer<T> created = Informer.builder(api, kafka, type, cls).name(namePrefix + "-" + type.plural())
                .build();
        informers.put(type, created);
        return created;
    }

    /** Starts every informer and waits until each has applied its first list; false on timeout. */
    public boolean start(Duration timeout) throws InterruptedException {
        List<Informer<?>> all;
        synchronized (this) {
            all = new ArrayList<>(informers.values());
        }
        all.forEach(Informer::start);
        long deadline = System.nanoTime() + timeout.toNanos();
        for (Informer<?> i : all) {
            if (!i.awaitSynced(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())))) {
                return false;
            }
        }
        return true;
    }

    /** Stops and forgets the informer of a kind no longer served (a custom kind whose definition is gone). */
    public void remove(ResourceType type) {
        Informer<?> removed;
        synchronized (this) {
            removed = informers.remove(type);
        }
        if (removed != null) {
            removed.close();
        }
    }

    @Override
    public synchronized void close() {
        informers.values().forEach(Informer::stop);
        informers.values().forEach(Informer::close);
    }
}
