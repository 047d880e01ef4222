package io.kubus.controllers.common;

import io.kubus.client.api.KubusApiException;

import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.BiConsumer;

/**
 * One API call per object, all at once on virtual threads, as Kubernetes' controllers fan out their deletes and
 * finalizer removals: every call is made, however many fail. An object found gone (404) counts as done, as it is
 * gone either way.
 */
public final class Fanout {
    private Fanout() {
    }

    /** The call made for one object. */
    @FunctionalInterface
    public interface Call<T> {
        void run(T object) throws KubusApiException;
    }

    /**
     * Makes the call for every object and returns for how many it is done. {@code failed} hears of every call that
     * failed, 404 included (e.g. to stop expecting the object's change); the first failure other than a 404 is
     * thrown once every call was made.
     */
    public static <T> int run(List<T> objects, Call<T> call, BiConsumer<T, RuntimeException> failed)
            throws InterruptedException {
        int done = 0;
        RuntimeException first = null;
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Object>> futures = objects.stream().map(o -> pool.submit(() -> {
                call.run(o);
                return null;
            })).toList();
            for (int i = 0; i < futures.size(); i++) {
                try {
                    futures.get(i).get();
                    done++;
                } catch (ExecutionException e) {
                    RuntimeException cause = e.getCause() instanceof RuntimeException r ? r
                            : new IllegalStateException(e.getCause());
                    failed.accept(objects.get(i), cause);
                    if (isNotFound(cause)) {
                        done++;
                    } else if (first == null) {
                        first = cause;
                    }
                }
            }
        }
        if (first != null) {
            throw first;
        }
        return done;
    }

    public static boolean isNotFound(RuntimeException e) {
        return e instanceof KubusApiException k && k.isNotFound();
    }
}
