package io.kubus.gateway.api;

import io.micronaut.context.annotation.Requires;
import io.kubus.gateway.GatewayApplication;
import io.kubus.gateway.apiextensions.ServedTypes;
import io.kubus.gateway.auth.SecurityFilter;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Delete;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Patch;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.Put;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The routes of the resource API: {@code /api/v1/...} for the core group, {@code /apis/GROUP/VERSION/...} for the
 * others. Requests below a group version that name no resource are discovery, answered by {@link Discovery}.
 */
@Requires(env = GatewayApplication.ENVIRONMENT)
@Controller
@ExecuteOn(TaskExecutors.BLOCKING)
public class ResourceController {
    private final ResourceApi api;
    private final Discovery discovery;
    private final ServedTypes types;

    public ResourceController(ResourceApi api, Discovery discovery, ServedTypes types) {
        this.api = api;
        this.discovery = discovery;
        this.types = types;
    }

    /** The resource {@code rest} names below a group version: the core one when {@code core}. */
    @Nullable ApiPath resourcePath(boolean core, String rest) {
        String[] parts = rest.split("/", core ? 2 : 3);
        if (core) {
            return parts.length < 2 || parts[1].isEmpty() ? null : ApiPath.parse(types, "", parts[0], parts[1]);
        }
        return parts.length < 3 || parts[2].isEmpty() ? null : ApiPath.parse(types, parts[0], parts[1], parts[2]);
    }

    @Get(uri = "/api", produces = MediaType.ALL)
    public HttpResponse<?> coreGroups(HttpRequest<?> request) {
        return discovery.coreVersions(request.getHeaders().get(HttpHeaders.ACCEPT),
                Discovery.joinHostPort(request.getServerAddress()));
    }

    @Get(uri = "/apis", produces = MediaType.ALL)
    public HttpResponse<?> groups(HttpRequest<?> request) {
        return discovery.groups(request.getHeaders().get(HttpHeaders.ACCEPT));
    }

    @Get(uri = "/api/{+path}", produces = MediaType.ALL)
    public HttpResponse<?> getCore(HttpRequest<?> request, @PathVariable String path) {
        return core("GET", request, path, null);
    }

    @Get(uri = "/apis/{+path}", produces = MediaType.ALL)
    public HttpResponse<?> getGroup(HttpRequest<?> request, @PathVariable String path) {
        return grouped("GET", request, path, null);
    }

    @Post(uri = "/api/{+path}", consumes = MediaType.ALL, produces = MediaType.ALL)
    public HttpResponse<?> postCore(HttpRequest<?> request, @PathVariable String path, @Body @Nullable byte[] body) {
        return core("POST", request, path, body);
    }

    @Post(uri = "/apis/{+path}", consumes = MediaType.ALL, produces = MediaType.ALL)
    public HttpResponse<?> postGroup(HttpRequest<?> request, @PathVariable String path, @Body @Nullable byte[] body) {
        return grouped("POST", request, path, body);
    }

    @Put(uri = "/api/{+path}", consumes = MediaType.ALL, produces = MediaType.ALL)
    public HttpResponse<?> putCore(HttpRequest<?> request, @PathVariable String path, @Body @Nullable byte[] body) {
        return core("PUT", request, path, body);
    }

    @Put(uri = "/apis/{+path}", consumes = MediaType.ALL, produces = MediaType.ALL)
    public HttpResponse<?> putGroup(HttpRequest<?> request, @PathVariable String path, @Body @Nullable byte[] body) {
        return grouped("PUT", request, path, body);
    }

    @Patch(uri = "/api/{+path}", consumes = MediaType.ALL, produces = MediaType.ALL)
    public HttpResponse<?> patchCore(HttpRequest<?> request, @PathVariable String path, @Body @Nullable byte[] body) {
        return core("PATCH", request, path, body);
    }

    @Patch(uri = "/apis/{+path}", consumes = MediaType.ALL, produces = MediaType.ALL)
    public HttpResponse<?> patchGroup(HttpRequest<?> request, @PathVariable String path, @Body @Nullable byte[] body) {
        return grouped("PATCH", request, path, body);
    }

    @Delete(uri = "/api/{+path}", consumes = MediaType.ALL, produces = MediaType.ALL)
    public HttpResponse<?> deleteCore(HttpRequest<?> request, @PathVariable String path, @Body @Nullable byte[] body) {
        return core("DELETE", request, path, body);
    }

    @Delete(uri = "/apis/{+path}", consumes = MediaType.ALL, produces = MediaType.ALL)
    public HttpResponse<?> deleteGroup(HttpRequest<?> request, @PathVariable String path, @Body @Nullable byte[] body) {
        return grouped("DELETE", request, path, body);
    }

    private HttpResponse<?> core(String method, HttpRequest<?> request, String path, @Nullable byte[] body) {
        String[] parts = path.split("/", 2);
        if (parts.length == 1 || parts[1].isEmpty()) {
            return discovery.resources(method, "", parts[0]);
        }
        return resource(method, request, ApiPath.parse(types, "", parts[0], parts[1]), body);
    }

    private HttpResponse<?> grouped(String method, HttpRequest<?> request, String path, @Nullable byte[] body) {
        String[] parts = path.split("/", 3);
        if (parts.length == 1 || parts[1].isEmpty()) {
            return discovery.group(method, parts[0]);
        }
        if (parts.length == 2 || parts[2].isEmpty()) {
            return discovery.resources(method, parts[0], parts[1]);
        }
        return resource(method, request, ApiPath.parse(types, parts[0], parts[1], parts[2]), body);
    }

    private HttpResponse<?> resource(String method, HttpRequest<?> request, ApiPath path, @Nullable byte[] body) {
        Map<String, List<String>> params = new LinkedHashMap<>();
        request.getParameters().forEach((k, v) -> params.put(k, v));
        Query query = new Query(params);
        if (method.equals("GET") && path.name() == null && !path.legacyWatch() && !query.isTrue("watch")) {
            // A list's options are checked as kube-apiserver checks them (a watch's are, in WatchStreams).
            ListOptions.of(query);
        }
        ApiResponse response = api.handle(method, path, query,
                request.getHeaders().get(HttpHeaders.CONTENT_TYPE), request.getHeaders().get(HttpHeaders.ACCEPT), body,
                SecurityFilter.user(request), request.getHeaders().get(HttpHeaders.USER_AGENT));
        return toHttp(response);
    }

    static MutableHttpResponse<?> toHttp(ApiResponse response) {
        MutableHttpResponse<Object> http = HttpResponse.status(io.micronaut.http.HttpStatus.valueOf(response.code()));
        for (String w : response.warnings()) {
            http.getHeaders().add("Warning", "299 - \"" + w.replace("\\", "\\\\").replace("\"", "\\\"") + "\"");
        }
        http.getHeaders().add(HttpHeaders.CACHE_CONTROL, "no-cache, private");
        if (response.stream() != null) {
            return http.body(response.stream()).contentType(response.contentType());
        }
        if (response.input() != null) {
            return http.body(response.input()).contentType(response.contentType());
        }
        return http.body(response.body()).contentType(response.contentType());
    }
}
