package io.kubus.agent.server;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MutableHttpResponse;

import java.nio.charset.StandardCharsets;

/** Kubernetes {@code Status} objects as the agent answers them: errors, and exec's result on channel 3. */
final class AgentStatus {
    private AgentStatus() {
    }

    static ObjectNode failure(int code, String reason, String message) {
        ObjectNode status = JsonNodeFactory.instance.objectNode();
        status.put("kind", "Status");
        status.put("apiVersion", "v1");
        status.putObject("metadata");
        status.put("status", "Failure");
        status.put("message", message);
        status.put("reason", reason);
        status.put("code", code);
        return status;
    }

    static MutableHttpResponse<byte[]> error(int code, String reason, String message) {
        return HttpResponse.<byte[]>status(HttpStatus.valueOf(code))
                .body(failure(code, reason, message).toString().getBytes(StandardCharsets.UTF_8))
                .contentType("application/json");
    }

    /** What kubelet sends on the v5 error channel when the command ran: Success, or the exit code as a cause. */
    static byte[] execResult(int exitCode, java.util.List<String> command) {
        ObjectNode status = JsonNodeFactory.instance.objectNode();
        status.putObject("metadata");
        if (exitCode == 0) {
            status.put("status", "Success");
        } else {
            status.put("status", "Failure");
            status.put("message", "command terminated with non-zero exit code: error executing command "
                    + command + ", exit code "
                    + exitCode);
            status.put("reason", "NonZeroExitCode");
            ObjectNode cause = status.putObject("details").putArray("causes").addObject();
            cause.put("reason", "ExitCode");
            cause.put("message", Integer.toString(exitCode));
        }
        return status.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** An exec that could not run: the reason on the error channel, as kubelet reports it. */
    static byte[] execError(String message) {
        ObjectNode status = JsonNodeFactory.instance.objectNode();
        status.putObject("metadata");
        status.put("status", "Failure");
        status.put("message", message);
        status.put("reason", "InternalError");
        return status.toString().getBytes(StandardCharsets.UTF_8);
    }
}
