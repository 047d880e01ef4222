package io.kubus.agent.server;

import io.kubus.agent.NodeAgentApplication;
import io.kubus.agent.runtime.ContainerInfo;
import io.kubus.agent.runtime.LogOptions;
import io.micronaut.context.annotation.Requires;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import jakarta.annotation.PreDestroy;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The kubelet's {@code GET /containerLogs/{namespace}/{pod}/{container}}: the runtime's output of the container,
 * streamed as it is read (and as it is written, with {@code follow}). The api-gateway forwards
 * {@code pods/{name}/log} here.
 */
@Requires(env = NodeAgentApplication.ENVIRONMENT)
@Controller
public class ContainerLogsController {
    private static final int CHUNK = 16 * 1024;

    private final AgentRuntimes runtimes;
    /** A blocked read of a followed log holds a thread as long as the client listens: virtual threads. */
    private final ExecutorService readers = Executors.newVirtualThreadPerTaskExecutor();
    private final Scheduler readerScheduler = Schedulers.fromExecutorService(readers, "container-logs");

    public ContainerLogsController(AgentRuntimes runtimes) {
        this.runtimes = runtimes;
    }

    @ExecuteOn(TaskExecutors.BLOCKING)
    @Get(uri = "/containerLogs/{namespace}/{pod}/{container}", produces = MediaType.ALL)
    public HttpResponse<?> logs(@PathVariable String namespace, @PathVariable String pod, @PathVariable String container,
                                @QueryValue(defaultValue = "false") boolean follow,
                                @QueryValue @Nullable Integer tailLines,
                                @QueryValue @Nullable Long sinceSeconds,
                                @QueryValue(defaultValue = "false") boolean timestamps,
                                @QueryValue(defaultValue = "false") boolean previous) {
        Optional<AgentRuntimes.Runs> found = runtimes.find(namespace, pod, container);
        if (found.isEmpty()) {
            return AgentStatus.error(404, "NotFound", "container \"" + container + "\" in pod \"" + pod
                    + "\" is waiting to start: no container has been created yet");
        }
        AgentRuntimes.Runs runs = found.get();
        ContainerInfo target;
        if (previous) {
            Optional<ContainerInfo> before = runs.previous();
            if (before.isEmpty()) {
                return AgentStatus.error(400, "BadRequest", "previous terminated container \"" + container
                        + "\" in pod \"" + pod + "\" not found");
            }
            target = before.get();
        } else {
            target = runs.current();
        }
        // A previous run has ended: there is nothing to follow.
        LogOptions options = new LogOptions(follow && !previous, tailLines == null ? -1 : tailLines,
                sinceSeconds == null ? 0 : sinceSeconds, timestamps);
        InputStream in;
        try {
            in = runs.runtime().logs(target.id(), options);
        } catch (IOException e) {
            return AgentStatus.error(500, "InternalError", "failed to get logs of container \"" + container
                    + "\" in pod \"" + pod + "\": " + e.getMessage());
        }
        // An empty first chunk sends the headers at once, so a follower sees the answer before the first line.
        Flux<byte[]> body = Flux.concat(Flux.just(new byte[0]), Flux.using(() -> in, ContainerLogsController::chunks,
                ContainerLogsController::closeQuietly).subscribeOn(readerScheduler));
        return HttpResponse.ok(body).contentType(MediaType.TEXT_PLAIN_TYPE);
    }

    private static Flux<byte[]> chunks(InputStream in) {
        return Flux.generate(sink -> {
            byte[] buffer = new byte[CHUNK];
            try {
                int n = in.read(buffer);
                if (n < 0) {
                    sink.complete();
                } else {
                    sink.next(n == buffer.length ? buffer : Arrays.copyOf(buffer, n));
                }
            } catch (IOException e) {
                // Closed because the client left, or the engine ended the stream: the log ends here.
                sink.complete();
            } catch (UncheckedIOException e) {
                sink.complete();
            }
        });
    }

    private static void closeQuietly(InputStream in) {
        try {
            in.close();
        } catch (IOException | RuntimeException e) {
            // already gone
        }
    }

    @PreDestroy
    void close() {
        readers.shutdownNow();
    }
}
