package io.kubus.controllers.common;

import io.kubus.client.api.KubusApiException;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Kubernetes' slowStartBatch: runs {@code count} calls in batches of 1, 2, 4, ... (each batch in parallel) and stops
 * after the first batch in which a call failed, so that a template the API refuses costs a request or two, not
 * hundreds.
 */
public final class SlowStart {
    /** The first batch's size (Kubernetes' SlowStartInitialBatchSize). */
    public static final int INITIAL_BATCH = 1;

    private SlowStart() {
    }

    /** One call: the {@code i}-th of the run. */
    @FunctionalInterface
    public interface Call {
        void run(int i) throws KubusApiException;
    }

    /**
     * What became of a run: how many calls succeeded (the others failed or were never made) and the first failure.
     * A failure because the namespace is being deleted is no failure of the owner: callers stop quietly on it, as
     * Kubernetes does.
     */
    public record Outcome(int succeeded, KubusApiException failure) {
        public boolean namespaceTerminating() {
            return failure != null && failure.hasCause("NamespaceTerminating");
        }
    }

    public static Outcome run(int count, Call call) throws InterruptedException {
        int succeeded = 0;
        int started = 0;
        int batch = INITIAL_BATCH;
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            while (started < count) {
                int n = Math.min(batch, count - started);
                List<Future<?>> futures = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    int index = started + i;
                    futures.add(pool.submit(() -> {
                        call.run(index);
                        return null;
                    }));
                }
                started += n;
                KubusApiException failure = null;
                for (Future<?> f : futures) {
                    try {
                        f.get();
                        succeeded++;
                    } catch (ExecutionException e) {
                        if (!(e.getCause() instanceof KubusApiException k)) {
                            throw new IllegalStateException(e.getCause());
                        }
                        if (failure == null) {
                            failure = k;
                        }
                    }
                }
                if (failure != null) {
                    return new Outcome(succeeded, failure);
                }
                batch *= 2;
            }
        }
        return new Outcome(succeeded, null);
    }
}
