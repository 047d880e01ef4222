package io.kubus.controllers.manager;

import io.kubus.client.controller.Controller;
import io.kubus.client.controller.ControllerMetrics;
import io.kubus.controllers.ControllersApplication;
import io.micronaut.context.annotation.Requires;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Produces;

import java.util.List;
import java.util.Locale;
import java.util.function.ToLongFunction;

/** {@code /metrics} in the Prometheus text format (workqueue and reconcile figures per controller) and {@code /healthz}. */
@io.micronaut.http.annotation.Controller
@Requires(env = ControllersApplication.ENVIRONMENT)
public class MetricsEndpoint {
    private final ControllerManager manager;

    public MetricsEndpoint(ControllerManager manager) {
        this.manager = manager;
    }

    @Get("/healthz")
    @Produces("text/plain")
    public HttpResponse<String> healthz() {
        return HttpResponse.ok("ok");
    }

    @Get("/metrics")
    @Produces("text/plain; version=0.0.4")
    public String metrics() {
        List<ControllerMetrics.Snapshot> all = manager.controllers().stream().map(Controller::metrics).toList();
        StringBuilder out = new StringBuilder();
        out.append("# TYPE kubus_controllers_leader gauge\n");
        out.append("kubus_controllers_leader ").append(manager.isLeading() ? 1 : 0).append('\n');
        family(out, all, "workqueue_depth", "gauge", m -> m.queueDepth());
        family(out, all, "workqueue_delayed", "gauge", m -> m.delayed());
        family(out, all, "workqueue_adds_total", "counter", m -> m.adds());
        family(out, all, "workqueue_retries_total", "counter", m -> m.retries());
        family(out, all, "kubus_controller_reconcile_errors_total", "counter", m -> m.errors());
        // One family's samples stay together, as the text format requires.
        out.append("# TYPE kubus_controller_reconcile_seconds histogram\n");
        for (ControllerMetrics.Snapshot m : all) {
            String name = "name=\"" + m.controller() + "\"";
            for (int i = 0; i < ControllerMetrics.BUCKETS.length; i++) {
                out.append("kubus_controller_reconcile_seconds_bucket{").append(name).append(",le=\"")
                        .append(ControllerMetrics.BUCKETS[i]).append("\"} ").append(m.bucketCounts()[i]).append('\n');
            }
            out.append("kubus_controller_reconcile_seconds_bucket{").append(name).append(",le=\"+Inf\"} ")
                    .append(m.reconciles()).append('\n');
            out.append("kubus_controller_reconcile_seconds_sum{").append(name).append("} ")
                    .append(String.format(Locale.ROOT, "%.6f", m.reconcileSeconds())).append('\n');
            out.append("kubus_controller_reconcile_seconds_count{").append(name).append("} ").append(m.reconciles())
                    .append('\n');
        }
        return out.toString();
    }

    private static void family(StringBuilder out, List<ControllerMetrics.Snapshot> all, String metric, String type,
                               ToLongFunction<ControllerMetrics.Snapshot> value) {
        out.append("# TYPE ").append(metric).append(' ').append(type).append('\n');
        for (ControllerMetrics.Snapshot m : all) {
            out.append(metric).append("{name=\"").append(m.controller()).append("\"} ").append(value.applyAsLong(m))
                    .append('\n');
        }
    }
}
