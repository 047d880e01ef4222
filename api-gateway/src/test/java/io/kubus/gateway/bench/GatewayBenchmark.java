package io.kubus.gateway.bench;

import io.kubus.broker.EmbeddedKafkaBroker;
import io.kubus.gateway.testing.GatewayFixture;
import io.kubus.gateway.testing.TestPostgres;
import io.kubus.schema.KubusJson;
import io.kubus.schema.ResourceTypes;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

/**
 * Throughput and latency of the api-gateway on an H2 file database and/or PostgreSQL, next to a floor measured in the
 * same run and the same JVM: raw JDBC inserts, one row per transaction, into a separate H2 file database with the same
 * URL flags, or into a fresh schema of its own on the same PostgreSQL server ({@link TestPostgres}). With
 * {@code --databases h2,postgres} the api phases run on each database in turn, each with its own broker, gateway and
 * floor, and the report has a table per database.
 *
 * <p>Not a test: a main class, run with {@code ./kubus bench [--clients N] [--seconds S] [--warmup S]
 * [--warmup-round S] [--databases h2,postgres]} (all options in {@link Options#USAGE}). It starts a real gateway with
 * {@link GatewayFixture} (embedded Kafka broker, HTTP on a free port) and drives it over HTTP/1.1 with keep-alive, one
 * {@link HttpClient} (one connection) per client thread. Each phase runs N closed-loop clients for a warm-up, then
 * measures for the given time; latencies are per request, from send to the whole body read. Before the first phase,
 * an unreported warm-up round ({@code --warmup-round S}, default 20 s) runs the phases' operations in a namespace of
 * its own, so the first measured phase does not run while the JIT compiles the write path.
 *
 * <p>Phases: the JDBC floor; create (POST of small ConfigMaps); get (GET of a ConfigMap by name, among those created);
 * list (GET of the ConfigMap list of a namespace holding 100 and 1,000 objects); creates while two further clients
 * list 1,000 ConfigMaps without pause, next to the creates alone (what a list costs concurrent writers); and the
 * latency from a create's response to its change event on the Kafka topic, read by a plain {@link KafkaConsumer},
 * under the create load and with one client. The tables go to stdout and, as Markdown, to
 * {@code target/bench-results.md}.
 *
 * <p>Paging phases compare, in the same run, this gateway with a baseline gateway whose store is as it was before
 * paging ({@link BeforePaging}: no history row per write, lists that lock the version row while they read): updates
 * alone (what the history insert costs a write), and updates while two clients list 1,000 objects without pause (what
 * a list costs the writers). The heap phase ({@link ListHeap}) measures a gateway process of its own serving one
 * unpaged list of 30,000 pods, next to the same process's heap at rest. These, and the security phases, run on H2 only.
 */
public final class GatewayBenchmark {
    private static final String H2_FLAGS = io.kubus.gateway.store.H2Settings.URL_FLAGS;
    private static final String NS_CREATE = "bench";
    private static final String NS_EVENTS = "bench-events";
    /** The warm-up round's namespace: its creates, gets and lists touch none of the measured phases' objects. */
    private static final String NS_WARMUP = "bench-warmup";
    private static final String JSON = "application/json";
    /**
     * Objects of the namespace that {@value #LISTERS} clients list while the others write (the paging phases, and the
     * creates while lists run), and those clients.
     */
    private static final int LISTED_OBJECTS = 1000;
    private static final String PAGING_NS = "bench-paging";
    private static final int LISTERS = 2;
    /** The namespace of the security phases: 100 ConfigMaps to get, and the Role the RBAC identities read with. */
    private static final String SECURITY_NS = "bench-security";

    private final Options opt;
    /** The api phases' rows, by database, in the order they ran. */
    private final Map<Database, List<Result>> apiResults = new java.util.LinkedHashMap<>();
    private final List<Result> pagingResults = new ArrayList<>();
    private final List<Result> securityResults = new ArrayList<>();
    private ListHeap.Measured heap;
    /** Lists per second the listers made during the last paging round, on the baseline (true) or this gateway. */
    private final Map<Boolean, Double> listsPerSecond = new java.util.HashMap<>();
    private final List<String> notes = new ArrayList<>();

    /** A database the api phases run on, each with a gateway and a JDBC floor of its own. */
    enum Database {
        H2("h2", "H2"), POSTGRES("postgres", "PostgreSQL");

        final String option;
        final String label;

        Database(String option, String label) {
            this.option = option;
            this.label = label;
        }

        static Database of(String option) {
            for (Database d : values()) {
                if (d.option.equals(option.trim())) {
                    return d;
                }
            }
            throw new IllegalArgumentException("the databases are h2 and postgres, not '" + option + "'");
        }
    }

    /** Where the JDBC floor inserts: its own database (H2) or schema (PostgreSQL), and how it logs in. */
    private record Floor(Database db, String url, String user, String password) {
    }

    private GatewayBenchmark(Options opt) {
        this.opt = opt;
    }

    public static void main(String[] args) throws Exception {
        Options opt;
        try {
            opt = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("bench: " + e.getMessage());
            System.err.println(Options.USAGE);
            System.exit(2);
            return;
        }
        if (opt.help) {
            System.out.println(Options.USAGE);
            return;
        }
        new GatewayBenchmark(opt).run();
        // Kafka and Netty leave non-daemon threads behind on some paths; the run is over.
        System.exit(0);
    }

    // ------------------------------------------------------------------ the run

    private void run() throws Exception {
        Path dir = Path.of("target", "bench-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")))
                .toAbsolutePath();
        Files.createDirectories(dir);
        log("data under " + dir + " (clients " + opt.clients + ", warm-up " + opt.warmupSeconds + " s, measure "
                + opt.seconds + " s per phase; databases " + opt.databases.stream().map(d -> d.label).toList() + ")");
        try {
            for (Database db : opt.databases) {
                runOn(db, dir);
            }
            if (!opt.databases.contains(Database.H2) && opt.phases.stream().anyMatch(p -> !p.equals("api"))) {
                log("the paging, security and heap phases run on H2 only: skipped, add h2 to --databases");
            }
        } finally {
            if (!opt.keep) {
                deleteRecursively(dir);
            }
        }
        report();
    }

    /**
     * The phases on one database, with a broker and a gateway of their own: the api phases on either, the paging,
     * security and heap phases on H2 only.
     */
    private void runOn(Database db, Path dir) throws Exception {
        if (db != Database.H2 && !opt.phases.contains("api")) {
            return;
        }
        String gatewayUrl;
        Floor floor;
        if (db == Database.H2) {
            gatewayUrl = "jdbc:h2:file:" + dir.resolve("gateway/kubus") + H2_FLAGS;
            // The gateway makes H2 write every commit to its file before answering (H2Settings); the floor does too.
            floor = new Floor(db, "jdbc:h2:file:" + dir.resolve("floor/floor") + H2_FLAGS + ";WRITE_DELAY=0", "sa", "");
        } else {
            gatewayUrl = TestPostgres.freshSchemaUrl();
            floor = new Floor(db, TestPostgres.freshSchemaUrl(), TestPostgres.user(), TestPostgres.password());
        }
        long t0 = System.nanoTime();
        EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.startTemporary();
        try (GatewayFixture gw = GatewayFixture.start(broker, false, gatewayUrl, Map.of())) {
            log(db.label + " gateway up at " + gw.baseUrl() + " in " + (System.nanoTime() - t0) / 1_000_000 + " ms");
            opt.baseUrl = gw.baseUrl();
            if (opt.phases.contains("api")) {
                measurePhases(gw, floor);
            }
            if (db != Database.H2) {
                return;
            }
            if (opt.phases.contains("paging")) {
                measurePaging(gw, broker, dir);
            }
            if (opt.phases.contains("security")) {
                measureSecurity(gw, gatewayUrl, broker, dir);
            }
            if (opt.phases.contains("heap") && opt.heapObjects > 0) {
                log("heap: a gateway process serving a list of " + opt.heapObjects + " pods (-Xmx" + opt.heapMax + ") ...");
                heap = ListHeap.measure(dir, broker.bootstrapServers(), opt.heapObjects, opt.heapMax);
                log("  at rest " + heap.idleMiB() + " MiB, peak while listing " + heap.peakLiveMiB() + " MiB ("
                        + heap.samples() + " samples), in flight " + heap.pausedMiB() + " MiB");
            }
        } finally {
            broker.close();
            if (db == Database.POSTGRES && !opt.keep) {
                dropSchema(gatewayUrl);
                dropSchema(floor.url());
            }
        }
    }

    /** Drops the schema of a {@link TestPostgres#freshSchemaUrl()} and all in it. */
    private static void dropSchema(String url) {
        String schema = url.substring(url.indexOf("currentSchema=") + "currentSchema=".length());
        try (Connection c = DriverManager.getConnection(TestPostgres.url(), TestPostgres.user(),
                TestPostgres.password());
             Statement st = c.createStatement()) {
            st.execute("DROP SCHEMA " + schema + " CASCADE");
        } catch (java.sql.SQLException e) {
            log("could not drop the PostgreSQL schema " + schema + ": " + e.getMessage());
        }
    }

    /** Prefixes a note of one database's api phases with the database, when the run has more than one. */
    private void note(Database db, String text) {
        notes.add(opt.databases.size() > 1 ? db.label + ": " + text : text);
    }

    private void measurePhases(GatewayFixture gw, Floor floorDb) throws Exception {
        Database db = floorDb.db();
        List<Result> results = new ArrayList<>();
        apiResults.put(db, results);
        try (Gateway g = new Gateway(gw.baseUrl())) {
            g.createNamespace(NS_CREATE);
            g.createNamespace(NS_EVENTS);
            warmupRound(g);

            // The floor writes rows as large as what the gateway stores for one small ConfigMap.
            String sample = g.get("/api/v1/namespaces/" + NS_CREATE + "/configmaps/"
                    + g.create(NS_CREATE, "sample").name());
            int rowBytes = sample.getBytes(StandardCharsets.UTF_8).length;
            note(db, "ConfigMap request body " + configMap("cm-0-0").length + " B; stored object (and JDBC floor row "
                    + "body) " + rowBytes + " B.");
            note(db, floorNote(floorDb));

            Result floor = jdbcFloor(floorDb, opt, sample);
            results.add(floor);

            try (EventWatch events = new EventWatch(gw.kafkaBootstrap(), ResourceTypes.CONFIGMAPS.topic())) {
                Queue created = new Queue();
                Result create = measure("create ConfigMap (POST)", floor, (c, seq, rec) -> {
                    Gateway.Created r = c.create(NS_CREATE, "cm-" + c.id + "-" + seq);
                    if (rec) {
                        created.add(r.name());
                        events.expect(NS_CREATE + "/" + r.name(), r.respondedAt());
                    }
                });
                results.add(create);
                results.add(events.result("event lag under create load: response → Kafka", NS_CREATE + "/"));

                String[] names = created.toArray();
                if (names.length == 0) {
                    throw new IllegalStateException("no ConfigMap was created");
                }
                results.add(measure("get ConfigMap (GET by name)", null, (c, seq, rec) ->
                        c.get("/api/v1/namespaces/" + NS_CREATE + "/configmaps/"
                                + names[ThreadLocalRandom.current().nextInt(names.length)])));

                for (int size : opt.listSizes) {
                    String ns = "bench-list-" + size;
                    fill(g, ns, size);
                    results.add(measure("list " + size + " ConfigMaps (GET list)", null,
                            (c, seq, rec) -> c.get("/api/v1/namespaces/" + ns + "/configmaps")));
                }

                // What lists cost the writers: the same creates, while further clients list without pause.
                String listed = "bench-list-" + LISTED_OBJECTS;
                if (Arrays.stream(opt.listSizes).noneMatch(n -> n == LISTED_OBJECTS)) {
                    fill(g, listed, LISTED_OBJECTS);
                }
                WhileListing withLists = whileListing(gw.baseUrl(), listed, () -> measure(String.format(Locale.ROOT,
                        "create ConfigMap (POST) while %d clients list %,d", LISTERS, LISTED_OBJECTS), null,
                        (c, seq, rec) -> c.create(NS_CREATE, "cl-" + c.id + "-" + seq)));
                results.add(withLists.result().against(create, "creates alone"));
                note(db, String.format(Locale.ROOT, "While %d clients created, %d more listed %,d ConfigMaps %.1f "
                        + "times a second. The target: such lists slow concurrent creates by at most 20%% (at least "
                        + "80%% of creates alone).", opt.clients, LISTERS, LISTED_OBJECTS, withLists.listsPerSecond()));

                // One client: the latency of a lone writer, without waiting on the others' locks.
                Options one = opt.withClients(1);
                Result floor1 = floor;
                if (opt.clients != 1) {
                    floor1 = jdbcFloor(floorDb, one, sample);
                    results.add(floor1);
                }
                results.add(measure(one, "create ConfigMap (POST)", floor1, (c, seq, rec) -> {
                    Gateway.Created r = c.create(NS_EVENTS, "ev-" + seq);
                    if (rec) {
                        events.expect(NS_EVENTS + "/" + r.name(), r.respondedAt());
                    }
                }));
                results.add(events.result("event latency, 1 client: response → Kafka", NS_EVENTS + "/"));
            }
        }
    }

    /**
     * The api phases' operations, unreported, for {@code --warmup-round} seconds in all (a quarter each): creates by N
     * clients, gets of them and lists of their namespace, then creates by 1 client. Without it the first phase ran
     * before the JIT had compiled the write path and reported a fifth of the creates per second the same gateway
     * served later in the run; a phase's own short warm-up is not enough for that.
     */
    private void warmupRound(Gateway g) throws Exception {
        if (opt.warmupRoundSeconds == 0) {
            return;
        }
        long share = opt.warmupRoundSeconds * 1_000_000_000L / 4;
        log("warm-up round, " + opt.warmupRoundSeconds + " s (not reported):");
        g.createNamespace(NS_WARMUP);
        Queue created = new Queue();
        warm(opt.clients, share, "create ConfigMap (POST)", (c, seq, rec) ->
                created.add(c.create(NS_WARMUP, "w-" + c.id + "-" + seq).name()));
        String[] names = created.toArray();
        if (names.length == 0) {
            throw new IllegalStateException("the warm-up round created no ConfigMap");
        }
        warm(opt.clients, share, "get ConfigMap (GET by name)", (c, seq, rec) ->
                c.get("/api/v1/namespaces/" + NS_WARMUP + "/configmaps/"
                        + names[ThreadLocalRandom.current().nextInt(names.length)]));
        warm(opt.clients, share, "list " + names.length + " ConfigMaps (GET list)",
                (c, seq, rec) -> c.get("/api/v1/namespaces/" + NS_WARMUP + "/configmaps"));
        warm(1, share, "create ConfigMap (POST)", (c, seq, rec) -> c.create(NS_WARMUP, "w1-" + seq));
    }

    private void warm(int clients, long nanos, String name, Op op) throws Exception {
        log("  " + name + ", " + clients + " client(s): " + closedLoop(clients, 0, nanos, name, null, op).summary());
    }

    /**
     * Updates, and updates while lists run, on this gateway and on a baseline gateway with the store as it was before
     * paging, alternately, in the same JVM and run. Each gateway gets its own namespace of 1,000 ConfigMaps.
     */
    private void measurePaging(GatewayFixture gw, EmbeddedKafkaBroker broker, Path dir) throws Exception {
        String baselineUrl = "jdbc:h2:file:" + dir.resolve("before/kubus") + H2_FLAGS;
        try (GatewayFixture before = GatewayFixture.start(broker, false, baselineUrl,
                Map.of(BeforePaging.PROPERTY, "true"))) {
            log("baseline gateway (no history, locking lists) up at " + before.baseUrl());
            for (String url : List.of(before.baseUrl(), gw.baseUrl())) {
                opt.baseUrl = url;
                try (Gateway g = new Gateway(url)) {
                    fill(g, PAGING_NS, LISTED_OBJECTS);
                }
            }
            // Two rounds, the baseline first in each: the first warms both gateways' code paths (they share one JVM,
            // so whichever ran first would otherwise pay for the JIT); only the second round is reported.
            log("paging phases, warm-up round (not reported):");
            pagingRound(before.baseUrl(), true);
            pagingRound(gw.baseUrl(), false);
            Result[] baseline = pagingRound(before.baseUrl(), true);
            Result[] now = pagingRound(gw.baseUrl(), false);
            pagingResults.add(baseline[0]);
            pagingResults.add(baseline[1]);
            for (int i = 0; i < 2; i++) {
                pagingResults.add(now[i].against(baseline[i], "its ops/s"));
            }
            opt.baseUrl = gw.baseUrl();
        }
    }

    /** How a client of the security phases reaches a gateway and who it is. */
    private record Access(String name, String url, javax.net.ssl.SSLContext ssl, String token) {
    }

    /**
     * What TLS, authentication and authorization cost every request: gets and creates against a baseline gateway in
     * the same JVM and run without them ({@link WithoutSecurity}: plain HTTP, no filter), and against this one as the
     * administrator (client certificate, system:masters), as a user whose RoleBinding allows (client certificate,
     * RBAC), and as a ServiceAccount (bearer token: a JWT checked, its ServiceAccount read, RBAC), with a token of
     * its own and with a pod's (bound to the pod, which is read too); the pod's token also against a second gateway on
     * the same database that checks every token (no token cache). Keep-alive connections, as clients use them; a
     * warm-up round first, then the reported one.
     */
    private void measureSecurity(GatewayFixture gw, String gatewayUrl, EmbeddedKafkaBroker broker, Path dir)
            throws Exception {
        String baselineUrl = "jdbc:h2:file:" + dir.resolve("insecure/kubus") + H2_FLAGS;
        try (GatewayFixture plain = GatewayFixture.start(broker, false, baselineUrl,
                Map.of(WithoutSecurity.PROPERTY, "true", "micronaut.server.ssl.enabled", false));
             GatewayFixture uncached = GatewayFixture.start(broker, false, gatewayUrl,
                     Map.of("kubus.auth.token-cache-ttl", "0s"))) {
            log("baseline gateway (plain HTTP, no authentication or authorization) up at " + plain.baseUrl());
            for (String url : List.of(plain.baseUrl(), gw.baseUrl())) {
                opt.baseUrl = url;
                try (Gateway g = new Gateway(url)) {
                    fill(g, SECURITY_NS, 100);
                }
            }
            String ns = "/api/v1/namespaces/" + SECURITY_NS;
            String rbac = "/apis/rbac.authorization.k8s.io/v1/namespaces/" + SECURITY_NS;
            try (Gateway admin = new Gateway(gw.baseUrl())) {
                admin.send("POST", rbac + "/roles", ("{\"apiVersion\":\"rbac.authorization.k8s.io/v1\",\"kind\":\"Role\","
                        + "\"metadata\":{\"name\":\"bench\"},\"rules\":[{\"apiGroups\":[\"\"],\"resources\":[\"configmaps\"],"
                        + "\"verbs\":[\"get\",\"list\",\"create\"]}]}").getBytes(StandardCharsets.UTF_8), 201);
                admin.send("POST", ns + "/serviceaccounts", ("{\"apiVersion\":\"v1\",\"kind\":\"ServiceAccount\","
                        + "\"metadata\":{\"name\":\"bench\"}}").getBytes(StandardCharsets.UTF_8), 201);
                admin.send("POST", rbac + "/rolebindings", ("{\"apiVersion\":\"rbac.authorization.k8s.io/v1\","
                        + "\"kind\":\"RoleBinding\",\"metadata\":{\"name\":\"bench\"},\"subjects\":[{\"kind\":\"User\","
                        + "\"name\":\"bench-user\"},{\"kind\":\"ServiceAccount\",\"name\":\"bench\"}],\"roleRef\":{"
                        + "\"apiGroup\":\"rbac.authorization.k8s.io\",\"kind\":\"Role\",\"name\":\"bench\"}}")
                        .getBytes(StandardCharsets.UTF_8), 201);
                String tr = admin.send("POST", ns + "/serviceaccounts/bench/token", ("{\"apiVersion\":"
                        + "\"authentication.k8s.io/v1\",\"kind\":\"TokenRequest\",\"spec\":{}}").getBytes(StandardCharsets.UTF_8), 201);
                String token = KubusJson.json().readTree(tr).path("status").path("token").asText();
                // a pod's own token is bound to it (the kubelet asks for it so): each check also looks the pod up
                String podUid = KubusJson.json().readTree(admin.send("POST", ns + "/pods", ("{\"apiVersion\":\"v1\","
                        + "\"kind\":\"Pod\",\"metadata\":{\"name\":\"holder\"},\"spec\":{\"serviceAccountName\":"
                        + "\"bench\",\"containers\":[{\"name\":\"c\",\"image\":\"kubus/busybox:1\"}]}}")
                        .getBytes(StandardCharsets.UTF_8), 201)).path("metadata").path("uid").asText();
                String bound = KubusJson.json().readTree(admin.send("POST", ns + "/serviceaccounts/bench/token",
                        ("{\"apiVersion\":\"authentication.k8s.io/v1\",\"kind\":\"TokenRequest\",\"spec\":{"
                                + "\"boundObjectRef\":{\"kind\":\"Pod\",\"apiVersion\":\"v1\",\"name\":\"holder\","
                                + "\"uid\":\"" + podUid + "\"}}}").getBytes(StandardCharsets.UTF_8), 201))
                        .path("status").path("token").asText();
                List<Access> accesses = List.of(
                        new Access("no TLS, no authentication (baseline)", plain.baseUrl(), opt.ssl, null),
                        new Access("TLS, client certificate, system:masters", gw.baseUrl(), opt.ssl, null),
                        new Access("TLS, client certificate, RBAC", gw.baseUrl(), io.kubus.gateway.testing.TestPki.ssl(
                                io.kubus.gateway.testing.TestPki.identity("bench-user")), null),
                        new Access("TLS, ServiceAccount token, RBAC", gw.baseUrl(), io.kubus.gateway.testing.TestPki.ssl(null), token),
                        // the gateway without the cache first: later phases of a round tend to run faster
                        new Access("TLS, ServiceAccount token bound to a pod, RBAC, no token cache", uncached.baseUrl(),
                                io.kubus.gateway.testing.TestPki.ssl(null), bound),
                        new Access("TLS, ServiceAccount token bound to a pod, RBAC", gw.baseUrl(),
                                io.kubus.gateway.testing.TestPki.ssl(null), bound));
                // RBAC follows its topics: wait until the binding allows both identities
                for (Access a : accesses) {
                    try (Gateway g = new Gateway(a.url(), a.ssl(), a.token())) {
                        long deadline = System.nanoTime() + 30_000_000_000L;
                        while (true) {
                            try {
                                g.get(ns + "/configmaps/cm-0");
                                break;
                            } catch (IllegalStateException e) {
                                if (System.nanoTime() > deadline) {
                                    throw e;
                                }
                                Thread.sleep(100);
                            }
                        }
                    }
                }
                log("security phases, warm-up round (not reported):");
                securityRound(accesses);
                List<Result> measured = securityRound(accesses);
                Result baseGet = measured.get(0);
                Result baseCreate = measured.get(1);
                for (int i = 0; i < measured.size(); i++) {
                    Result r = measured.get(i);
                    Result base = i % 2 == 0 ? baseGet : baseCreate;
                    securityResults.add(i < 2 ? r : r.against(base, "its ops/s"));
                }
            } finally {
                opt.baseUrl = gw.baseUrl();
                opt.ssl = io.kubus.gateway.testing.TestPki.ssl(io.kubus.gateway.testing.TestPki.admin());
                opt.token = null;
            }
        }
    }

    /** A get and a create phase for each access, in order. */
    private List<Result> securityRound(List<Access> accesses) throws Exception {
        List<Result> out = new ArrayList<>();
        for (Access a : accesses) {
            opt.baseUrl = a.url();
            opt.ssl = a.ssl();
            opt.token = a.token();
            out.add(measure("get ConfigMap, " + a.name(), null, (c, seq, rec) ->
                    c.get("/api/v1/namespaces/" + SECURITY_NS + "/configmaps/cm-" + ThreadLocalRandom.current().nextInt(100))));
            String prefix = "s" + ThreadLocalRandom.current().nextInt(1_000_000) + "-";
            out.add(measure("create ConfigMap, " + a.name(), null, (c, seq, rec) ->
                    c.create(SECURITY_NS, prefix + c.id + "-" + seq)));
        }
        return out;
    }

    /** Updates alone, then updates while {@value #LISTERS} clients list the namespace without pause. */
    private Result[] pagingRound(String url, boolean baseline) throws Exception {
        opt.baseUrl = url;
        Op update = (c, seq, rec) -> c.patch("/api/v1/namespaces/" + PAGING_NS + "/configmaps/cm-"
                + ThreadLocalRandom.current().nextInt(LISTED_OBJECTS), c.id + "-" + seq);
        Result alone = measure(opt, "update ConfigMap (PATCH)"
                + (baseline ? ", before paging (no history)" : ", with the history row"), null, update);
        WhileListing withLists = whileListing(url, PAGING_NS, () -> measure(
                opt.withClients(Math.max(1, opt.clients - LISTERS)), "update ConfigMap (PATCH) while " + LISTERS
                        + " clients list " + LISTED_OBJECTS
                        + (baseline ? ", before paging (locking lists)" : ", lock-free lists"), null, update));
        listsPerSecond.put(baseline, withLists.listsPerSecond());
        return new Result[]{alone, withLists.result()};
    }

    /** What was measured while {@value #LISTERS} clients listed, and how many lists a second they made meanwhile. */
    private record WhileListing(Result result, double listsPerSecond) {
    }

    /**
     * Runs {@code measured} while {@value #LISTERS} further clients of the gateway at {@code url} list the ConfigMaps
     * of namespace {@code ns} without pause, each on its own connection.
     */
    private WhileListing whileListing(String url, String ns, java.util.concurrent.Callable<Result> measured)
            throws Exception {
        AtomicBoolean listing = new AtomicBoolean(true);
        AtomicLong lists = new AtomicLong();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> listers = new ArrayList<>();
        for (int i = 0; i < LISTERS; i++) {
            listers.add(Thread.ofPlatform().name("bench-lister-" + i).start(() -> {
                try (Gateway g = new Gateway(url)) {
                    while (listing.get()) {
                        g.get("/api/v1/namespaces/" + ns + "/configmaps");
                        lists.incrementAndGet();
                    }
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                }
            }));
        }
        long t0 = System.nanoTime();
        Result r;
        try {
            r = measured.call();
        } finally {
            listing.set(false);
            for (Thread t : listers) {
                t.join();
            }
        }
        if (failure.get() != null) {
            throw new IllegalStateException("a lister failed: " + failure.get(), failure.get());
        }
        double perSecond = lists.get() / ((System.nanoTime() - t0) / 1e9);
        log(String.format(Locale.ROOT, "  the %d listers listed %.1f times a second meanwhile", LISTERS, perSecond));
        return new WhileListing(r, perSecond);
    }

    /** Creates {@code size} ConfigMaps in a new namespace, with all clients. */
    private void fill(Gateway g, String ns, int size) throws Exception {
        g.createNamespace(ns);
        AtomicLong next = new AtomicLong();
        runClients(opt.clients, c -> {
            for (long i = next.getAndIncrement(); i < size; i = next.getAndIncrement()) {
                c.create(ns, "cm-" + i);
            }
        });
    }

    // ------------------------------------------------------------------ the floor: raw JDBC into H2 or PostgreSQL

    private Result jdbcFloor(Floor f, Options o, String body) throws Exception {
        try (Connection admin = DriverManager.getConnection(f.url(), f.user(), f.password());
             Statement st = admin.createStatement()) {
            // The gateway's api_object table.
            st.execute("""
                    CREATE TABLE IF NOT EXISTS api_object (
                        resource VARCHAR(200) NOT NULL,
                        namespace VARCHAR(63) NOT NULL,
                        name VARCHAR(253) NOT NULL,
                        uid VARCHAR(36) NOT NULL,
                        resource_version BIGINT NOT NULL,
                        body TEXT NOT NULL,
                        PRIMARY KEY (resource, namespace, name)
                    )""");
            AtomicLong version = new AtomicLong(o.clients * 1_000_000_000L);
            Connection[] conns = new Connection[o.clients];
            PreparedStatement[] stmts = new PreparedStatement[o.clients];
            try {
                for (int i = 0; i < o.clients; i++) {
                    conns[i] = DriverManager.getConnection(f.url(), f.user(), f.password());
                    conns[i].setAutoCommit(true);
                    stmts[i] = conns[i].prepareStatement("INSERT INTO api_object "
                            + "(resource, namespace, name, uid, resource_version, body) VALUES (?, ?, ?, ?, ?, ?)");
                }
                return measure(o, "JDBC floor: INSERT, autocommit", null, (c, seq, rec) -> {
                    PreparedStatement ps = stmts[c.id];
                    ps.setString(1, "v1/configmaps");
                    ps.setString(2, NS_CREATE);
                    ps.setString(3, "cm-" + o.clients + "-" + c.id + "-" + seq);
                    ps.setString(4, UUID.randomUUID().toString());
                    ps.setLong(5, version.incrementAndGet());
                    ps.setString(6, body);
                    if (ps.executeUpdate() != 1) {
                        throw new IllegalStateException("insert did not insert");
                    }
                });
            } finally {
                for (Connection conn : conns) {
                    if (conn != null) {
                        conn.close();
                    }
                }
                if (f.db() == Database.H2) {
                    st.execute("SHUTDOWN");
                }
            }
        }
    }

    /** What the floor of this database is, and what its commits wait for. */
    private static String floorNote(Floor f) throws java.sql.SQLException {
        String common = " one row per transaction (autocommit), one connection per client, measured at the same "
                + "concurrency as the gateway row it is compared with. The gateway's create also takes the global "
                + "resourceVersion row lock, writes an outbox row, and serves HTTP and JSON.";
        if (f.db() == Database.H2) {
            return "The JDBC floor inserts rows of the stored object's size into a copy of the api_object table in a "
                    + "separate H2 file database with the gateway's URL flags and WRITE_DELAY=0 (as the gateway sets "
                    + "it)," + common + " Both write each commit to the file before answering but neither calls fsync, "
                    + "so this floor is CPU, locking and file writes, not disk syncs.";
        }
        Map<String, String> set = new java.util.LinkedHashMap<>();
        try (Connection c = DriverManager.getConnection(f.url(), f.user(), f.password());
             Statement st = c.createStatement()) {
            for (String name : List.of("server_version", "synchronous_commit", "fsync", "wal_sync_method",
                    "commit_delay")) {
                try (java.sql.ResultSet rs = st.executeQuery("SHOW " + name)) {
                    rs.next();
                    set.put(name, rs.getString(1));
                }
            }
        }
        String durability;
        if (set.get("fsync").equals("off")) {
            durability = "The server does not fsync (fsync=off): a commit's WAL reaches the operating system's cache, "
                    + "not the disk, so neither the floor nor the gateway waits for a disk sync.";
        } else if (set.get("synchronous_commit").equals("off")) {
            durability = "The server answers a commit before its WAL is flushed (synchronous_commit=off; the WAL "
                    + "writer flushes it shortly after), so neither the floor nor the gateway waits for a disk sync.";
        } else {
            durability = "Each commit, the floor's and the gateway's, waits until the server has flushed its WAL to "
                    + "disk (synchronous_commit=" + set.get("synchronous_commit") + ", fsync=on, wal_sync_method="
                    + set.get("wal_sync_method") + "), so unlike H2's this floor waits for disk syncs: concurrent "
                    + "commits can share one, and what one costs depends on the disk and its write cache.";
        }
        return "The JDBC floor inserts rows of the stored object's size into a copy of the api_object table in a "
                + "fresh schema of its own on the gateway's PostgreSQL server (" + set.get("server_version") + ", "
                + set.entrySet().stream().filter(e -> !e.getKey().equals("server_version"))
                        .map(e -> e.getKey() + "=" + e.getValue()).collect(java.util.stream.Collectors.joining(", "))
                + ") over JDBC (TCP to " + f.url().replaceFirst("^jdbc:postgresql://([^/]+)/.*$", "$1") + "),"
                + common + " " + durability;
    }

    // ------------------------------------------------------------------ measuring

    @FunctionalInterface
    interface Op {
        /** One operation of client {@code c}; {@code seq} counts its operations; {@code rec} when measured. */
        void run(Client c, long seq, boolean rec) throws Exception;
    }

    @FunctionalInterface
    interface ClientBody {
        void run(Client c) throws Exception;
    }

    private Result measure(String name, Result floor, Op op) throws Exception {
        return measure(opt, name, floor, op);
    }

    /**
     * Runs {@code op} in a closed loop on {@code o.clients} threads: {@code o.warmupSeconds} unrecorded, then
     * {@code o.seconds} recorded.
     */
    private Result measure(Options o, String name, Result floor, Op op) throws Exception {
        log(String.format(Locale.ROOT, "%-36s warm-up %d s, measure %d s, %d client(s) ...", name, o.warmupSeconds,
                o.seconds, o.clients));
        Result r = closedLoop(o.clients, o.warmupSeconds * 1_000_000_000L, o.seconds * 1_000_000_000L, name, floor, op);
        log("  " + r.summary());
        return r;
    }

    /** Runs {@code op} in a closed loop on {@code clients} threads: {@code warmupNanos} unrecorded, then recorded. */
    private Result closedLoop(int clients, long warmupNanos, long measureNanos, String name, Result floor, Op op)
            throws Exception {
        long start = System.nanoTime();
        long measureFrom = start + warmupNanos;
        long measureTo = measureFrom + measureNanos;
        Latencies[] lat = new Latencies[clients];
        long[] lastEnd = new long[clients];
        runClients(clients, c -> {
            Latencies l = new Latencies();
            lat[c.id] = l;
            long seq = 0;
            long now = System.nanoTime();
            while (now < measureTo) {
                boolean rec = now >= measureFrom;
                op.run(c, seq++, rec);
                long end = System.nanoTime();
                if (rec) {
                    l.add(end - now);
                    lastEnd[c.id] = end;
                }
                now = end;
            }
        });
        Latencies all = Latencies.merge(lat);
        long end = Arrays.stream(lastEnd).max().orElse(measureTo);
        double seconds = Math.max(end, measureTo) - measureFrom;
        return Result.of(name, clients, all, seconds / 1e9, floor);
    }

    private void runClients(int n, ClientBody body) throws Exception {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CountDownLatch done = new CountDownLatch(n);
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Client c = new Client(i);
            threads.add(Thread.ofPlatform().name("bench-client-" + i).start(() -> {
                try {
                    body.run(c);
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                } finally {
                    c.close();
                    done.countDown();
                }
            }));
        }
        done.await();
        for (Thread t : threads) {
            t.join();
        }
        if (failure.get() != null) {
            throw new IllegalStateException("a benchmark client failed: " + failure.get(), failure.get());
        }
    }

    // ------------------------------------------------------------------ HTTP

    /** One benchmark client: its own HttpClient, so its own keep-alive connection. */
    final class Client extends Gateway {
        final int id;

        Client(int id) {
            super(opt.baseUrl, opt.ssl, opt.token);
            this.id = id;
        }
    }

    static class Gateway implements AutoCloseable {
        private final String base;
        private final HttpClient http;
        private final String token;

        /** As the administrator (client certificate, system:masters). */
        Gateway(String base) {
            this(base, io.kubus.gateway.testing.TestPki.ssl(io.kubus.gateway.testing.TestPki.admin()), null);
        }

        /** With this TLS context (and its client certificate, if any) and, when not null, this bearer token. */
        Gateway(String base, javax.net.ssl.SSLContext ssl, String token) {
            this.base = base;
            this.token = token;
            this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).sslContext(ssl)
                    .connectTimeout(Duration.ofSeconds(5)).build();
        }

        private HttpRequest.Builder authorized(HttpRequest.Builder b) {
            return token == null ? b : b.header("Authorization", "Bearer " + token);
        }

        record Created(String name, long respondedAt) {
        }

        Created create(String ns, String name) throws IOException, InterruptedException {
            send("POST", "/api/v1/namespaces/" + ns + "/configmaps", configMap(name), 201);
            return new Created(name, System.nanoTime());
        }

        void createNamespace(String ns) throws IOException, InterruptedException {
            send("POST", "/api/v1/namespaces",
                    ("{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"" + ns + "\"}}")
                            .getBytes(StandardCharsets.UTF_8), 201);
        }

        String get(String path) throws IOException, InterruptedException {
            return send("GET", path, null, 200);
        }

        /** A merge patch that changes the object (a value no other client writes), so every one is a write. */
        void patch(String path, String value) throws IOException, InterruptedException {
            HttpRequest r = authorized(HttpRequest.newBuilder(URI.create(base + path))).timeout(Duration.ofSeconds(30))
                    .header("Accept", JSON).header("Content-Type", "application/merge-patch+json")
                    .method("PATCH", HttpRequest.BodyPublishers.ofString("{\"data\":{\"replicas\":\"" + value + "\"}}"))
                    .build();
            HttpResponse<String> resp = http.send(r, HttpResponse.BodyHandlers.ofString());
            if (resp.statusCode() != 200) {
                throw new IllegalStateException("PATCH " + path + " answered " + resp.statusCode() + ": " + resp.body());
            }
        }

        private String send(String method, String path, byte[] body, int expect) throws IOException, InterruptedException {
            HttpRequest.Builder b = authorized(HttpRequest.newBuilder(URI.create(base + path))).timeout(Duration.ofSeconds(30))
                    .header("Accept", JSON)
                    .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
            if (body != null) {
                b.header("Content-Type", JSON);
            }
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != expect && !(expect == 201 && r.statusCode() == 200)) {
                throw new IllegalStateException(method + " " + path + " answered " + r.statusCode() + ": " + r.body());
            }
            return r.body();
        }

        @Override
        public void close() {
            http.close();
        }
    }

    static byte[] configMap(String name) {
        return ("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"" + name
                + "\",\"labels\":{\"app\":\"bench\"}},\"data\":{\"greeting\":\"hello, world\",\"replicas\":\"3\","
                + "\"config.properties\":\"mode=fast\\nlevel=info\\n\"}}").getBytes(StandardCharsets.UTF_8);
    }

    // ------------------------------------------------------------------ Kafka

    /** Reads the change topic from its end and matches events to the create responses they follow. */
    static final class EventWatch implements AutoCloseable {
        private final KafkaConsumer<String, byte[]> consumer;
        private final Map<String, Long> seen = new ConcurrentHashMap<>();
        private final Map<String, Long> expected = new ConcurrentHashMap<>();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final Thread poller;
        private final AtomicReference<Throwable> failure = new AtomicReference<>();

        EventWatch(String bootstrap, String topic) {
            Properties p = new Properties();
            p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
            p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
            p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
            p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 100);
            consumer = new KafkaConsumer<>(p);
            List<TopicPartition> parts = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(PartitionInfo::partition).map(i -> new TopicPartition(topic, i)).toList();
            consumer.assign(parts);
            consumer.seekToEnd(parts);
            parts.forEach(consumer::position); // resolve the end offsets now, before any create
            poller = Thread.ofPlatform().name("bench-event-consumer").start(this::poll);
        }

        private void poll() {
            try {
                while (running.get()) {
                    for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(50))) {
                        long now = System.nanoTime();
                        if (r.key() != null) {
                            seen.putIfAbsent(r.key(), now);
                        }
                    }
                }
            } catch (Throwable t) {
                failure.set(t);
            } finally {
                consumer.close();
            }
        }

        void expect(String key, long respondedAt) {
            expected.put(key, respondedAt);
        }

        /** Waits (up to 60 s) for the events of the expected keys under {@code prefix}, and reports their latency. */
        Result result(String name, String prefix) throws InterruptedException {
            List<String> keys = expected.keySet().stream().filter(k -> k.startsWith(prefix)).toList();
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (System.nanoTime() < deadline && failure.get() == null
                    && !keys.stream().allMatch(seen::containsKey)) {
                Thread.sleep(20);
            }
            if (failure.get() != null) {
                throw new IllegalStateException("the event consumer failed: " + failure.get(), failure.get());
            }
            Latencies l = new Latencies();
            int early = 0;
            int missing = 0;
            for (String k : keys) {
                Long at = seen.get(k);
                if (at == null) {
                    missing++;
                    continue;
                }
                long d = at - expected.get(k);
                if (d < 0) {
                    early++;
                    d = 0;
                }
                l.add(d);
            }
            Result r = Result.events(name, l, missing, early);
            log("  " + r.summary());
            return r;
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            poller.join(10_000);
        }
    }

    // ------------------------------------------------------------------ numbers

    /** A growable array of latencies in nanoseconds. */
    static final class Latencies {
        private long[] v = new long[1024];
        private int n;

        void add(long nanos) {
            if (n == v.length) {
                v = Arrays.copyOf(v, n * 2);
            }
            v[n++] = nanos;
        }

        static Latencies merge(Latencies[] parts) {
            Latencies all = new Latencies();
            for (Latencies p : parts) {
                if (p != null) {
                    for (int i = 0; i < p.n; i++) {
                        all.add(p.v[i]);
                    }
                }
            }
            return all;
        }

        long[] sorted() {
            long[] s = Arrays.copyOf(v, n);
            Arrays.sort(s);
            return s;
        }
    }

    /** {@code opsPerSecond} is NaN where it means nothing (event latency). */
    /**
     * One row of the table, compared with {@code floor} when not null: the JDBC floor when {@code versus} is null,
     * else another row, which the comparison column calls {@code versus}.
     */
    record Result(String name, int clients, long count, double opsPerSecond, double p50, double p99, double max,
                  Result floor, String versus, String note) {

        static Result of(String name, int clients, Latencies l, double seconds, Result floor) {
            long[] s = l.sorted();
            return new Result(name, clients, s.length, s.length / seconds, pct(s, 50), pct(s, 99), ms(last(s)), floor, null, "");
        }

        static Result events(String name, Latencies l, int missing, int early) {
            long[] s = l.sorted();
            String note = (missing > 0 ? missing + " event(s) not seen in 60 s; " : "")
                    + (early > 0 ? early + " event(s) read before the HTTP response (counted as 0)" : "");
            return new Result(name, 0, s.length, Double.NaN, pct(s, 50), pct(s, 99), ms(last(s)), null, null,
                    note.replaceAll("; $", ""));
        }

        private static long last(long[] s) {
            return s.length == 0 ? 0 : s[s.length - 1];
        }

        /** Nearest-rank percentile, in ms. */
        private static double pct(long[] s, double p) {
            if (s.length == 0) {
                return Double.NaN;
            }
            int rank = (int) Math.ceil(p / 100.0 * s.length);
            return ms(s[Math.clamp(rank - 1, 0, s.length - 1)]);
        }

        private static double ms(long nanos) {
            return nanos / 1e6;
        }

        String ops() {
            return Double.isNaN(opsPerSecond) ? "—" : String.format(Locale.ROOT, "%,.0f", opsPerSecond);
        }

        /** This row compared with {@code base}, which the comparison column calls {@code versus}. */
        Result against(Result base, String versus) {
            return new Result(name, clients, count, opsPerSecond, p50, p99, max, base, versus, note);
        }

        /** The comparison column: ops/s and p50 against the JDBC floor; ops/s and p99 against another row. */
        String comparison() {
            if (floor == null) {
                return "—";
            }
            if (versus == null) {
                return String.format(Locale.ROOT, "%s of its ops/s, p50 ×%s", percent(opsPerSecond / floor.opsPerSecond),
                        times(p50 / floor.p50));
            }
            return String.format(Locale.ROOT, "%s of %s, p99 ×%s", percent(opsPerSecond / floor.opsPerSecond), versus,
                    times(p99 / floor.p99));
        }

        String summary() {
            return String.format(Locale.ROOT, "%s ops, %s ops/s, p50 %s ms, p99 %s ms, max %s ms%s", count, ops(),
                    fmt(p50), fmt(p99), fmt(max), note.isEmpty() ? "" : " (" + note + ")");
        }
    }

    static String percent(double ratio) {
        return String.format(Locale.ROOT, ratio < 0.1 ? "%.2f%%" : "%.0f%%", ratio * 100);
    }

    static String times(double ratio) {
        return String.format(Locale.ROOT, ratio < 10 ? "%.1f" : "%.0f", ratio);
    }

    static String fmt(double ms) {
        if (Double.isNaN(ms)) {
            return "—";
        }
        return String.format(Locale.ROOT, ms < 10 ? "%.2f" : ms < 100 ? "%.1f" : "%.0f", ms);
    }

    private void report() throws IOException {
        // One table of the api phases per database, its name in the first column's head.
        Map<String[], List<String[]>> apiTables = new java.util.LinkedHashMap<>();
        apiResults.forEach((db, list) -> {
            String[] head = {db.label + ": operation", "clients", "ops", "ops/s", "p50 ms", "p99 ms", "max ms",
                    "compared with"};
            List<String[]> rows = new ArrayList<>();
            for (Result r : list) {
                rows.add(new String[]{r.name(), r.clients() == 0 ? "—" : Integer.toString(r.clients()),
                        Long.toString(r.count()), r.ops(), fmt(r.p50()), fmt(r.p99()), fmt(r.max()), r.comparison()});
                if (!r.note().isEmpty()) {
                    note(db, r.name() + ": " + r.note() + ".");
                }
            }
            apiTables.put(head, rows);
        });
        String env = String.format(Locale.ROOT, "Java %s (%s), %d CPUs, max heap %d MiB, %s %s; clients %d, warm-up round %s, warm-up %d s, measured %d s per phase; api phases on %s.",
                Runtime.version(), System.getProperty("java.vm.name"), Runtime.getRuntime().availableProcessors(),
                Runtime.getRuntime().maxMemory() >> 20, System.getProperty("os.name"), System.getProperty("os.arch"),
                opt.clients, opt.warmupRoundSeconds == 0 ? "none" : opt.warmupRoundSeconds + " s",
                opt.warmupSeconds, opt.seconds, String.join(" and ", opt.databases.stream().map(d -> d.label).toList()));
        if (opt.warmupRoundSeconds > 0 && opt.phases.contains("api")) {
            notes.add("Before the api phases, on each database, a warm-up round of " + opt.warmupRoundSeconds
                    + " s, not reported, ran their operations in a namespace of its own, a quarter of the time each: "
                    + "creates by " + opt.clients + " clients, gets, lists of that namespace, creates by 1 client "
                    + "(--warmup-round 0 skips it).");
        }

        // Plain text.
        StringBuilder out = new StringBuilder();
        apiTables.forEach((head, rows) -> {
            int[] w = widths(head, rows);
            out.append('\n');
            appendRow(out, head, w);
            StringBuilder rule = new StringBuilder();
            for (int i = 0; i < w.length; i++) {
                rule.append(i == 0 ? "" : "  ").append("-".repeat(w[i]));
            }
            out.append(rule).append('\n');
            rows.forEach(row -> appendRow(out, row, w));
        });
        String[] pagingHead = {"paging, H2: same run, two gateways", "clients", "ops", "ops/s", "p50 ms", "p99 ms", "max ms",
                "vs before paging"};
        List<String[]> pagingRows = new ArrayList<>();
        for (Result r : pagingResults) {
            pagingRows.add(new String[]{r.name(), Integer.toString(r.clients()), Long.toString(r.count()), r.ops(),
                    fmt(r.p50()), fmt(r.p99()), fmt(r.max()), r.comparison()});
        }
        String[] securityHead = {"security, H2: same run, two gateways", "clients", "ops", "ops/s", "p50 ms", "p99 ms",
                "max ms", "vs no TLS, no authentication"};
        List<String[]> securityRows = new ArrayList<>();
        for (Result r : securityResults) {
            securityRows.add(new String[]{r.name(), Integer.toString(r.clients()), Long.toString(r.count()), r.ops(),
                    fmt(r.p50()), fmt(r.p99()), fmt(r.max()), r.comparison()});
        }
        if (!securityRows.isEmpty()) {
            out.append('\n');
            int[] sw = widths(securityHead, securityRows);
            appendRow(out, securityHead, sw);
            securityRows.forEach(row -> appendRow(out, row, sw));
        }
        if (!pagingRows.isEmpty()) {
            notes.add(String.format(Locale.ROOT, "While the writers ran, the %d listers listed %.1f times a second on "
                    + "the baseline gateway and %.1f on this one.", LISTERS, listsPerSecond.getOrDefault(true, 0.0),
                    listsPerSecond.getOrDefault(false, 0.0)));
            out.append('\n');
            int[] pw = widths(pagingHead, pagingRows);
            appendRow(out, pagingHead, pw);
            pagingRows.forEach(row -> appendRow(out, row, pw));
        }
        List<String[]> heapRows = heapRows();
        if (!heapRows.isEmpty()) {
            out.append('\n');
            String[] hh = {"gateway heap, one unpaged list of " + heap.objects() + " pods", "MiB"};
            int[] hw = widths(hh, heapRows);
            appendRow(out, hh, hw);
            heapRows.forEach(row -> appendRow(out, row, hw));
        }
        out.append('\n').append(env).append('\n');
        notes.forEach(n -> out.append(n).append('\n'));
        System.out.print(out);

        // Markdown.
        StringBuilder md = new StringBuilder("# Gateway benchmark\n\n");
        md.append("`").append(("./kubus bench " + String.join(" ", opt.args)).strip()).append("` at ")
                .append(LocalDateTime.now().withNano(0)).append(". ").append(env).append("\n\n");
        apiTables.forEach((head, rows) -> markdownTable(md, head, rows));
        if (!securityRows.isEmpty()) {
            markdownTable(md, securityHead, securityRows);
        }
        if (!pagingRows.isEmpty()) {
            markdownTable(md, pagingHead, pagingRows);
        }
        if (!heapRows.isEmpty()) {
            markdownTable(md, new String[]{"gateway heap, one unpaged list of " + heap.objects() + " pods", "MiB"}, heapRows);
        }
        notes.forEach(n -> md.append("- ").append(n).append('\n'));
        md.append("""
                - Latency is per request, from send to the whole response read, over HTTP/1.1 keep-alive, one \
                connection per client; p50/p99 are nearest-rank percentiles of all measured requests.
                - Event latency: from the create's HTTP response to the change event read from the Kafka topic by a \
                plain KafkaConsumer.
                """);
        Path file = Path.of(opt.out).toAbsolutePath();
        Files.createDirectories(file.getParent());
        Files.writeString(file, md);
        System.out.println("\nMarkdown: " + file);
    }

    private List<String[]> heapRows() {
        List<String[]> rows = new ArrayList<>();
        if (heap == null) {
            return rows;
        }
        rows.add(new String[]{"baseline: the gateway at rest, the pods stored (after a full collection)",
                Long.toString(heap.idleMiB())});
        rows.add(new String[]{"peak while the list is served (most left by back-to-back full collections)",
                Long.toString(heap.peakLiveMiB())});
        rows.add(new String[]{"  of which the list (peak minus at rest)", Long.toString(heap.peakLiveMiB() - heap.idleMiB())});
        rows.add(new String[]{"a list in flight, its client waiting after 1 MiB (after a full collection)",
                Long.toString(heap.pausedMiB())});
        rows.add(new String[]{"most in use before any collection meanwhile (garbage included)", Long.toString(heap.peakUsedMiB())});
        rows.add(new String[]{"the list's JSON; fastest of 2 unsampled reads", (heap.listBytes() >> 20) + " MiB; "
                + heap.millis() + " ms"});
        notes.add("Heap: a gateway process of its own (-Xmx" + heap.maxHeap() + ", SerialGC, GC log) on H2 holding "
                + heap.objects() + " pods; each list is GET without limit, read and dropped by the client; "
                + heap.samples() + " full collections sampled 2 lists.");
        return rows;
    }

    private static int[] widths(String[] head, List<String[]> rows) {
        int[] w = new int[head.length];
        Stream.concat(Stream.<String[]>of(head), rows.stream()).forEach(row -> {
            for (int i = 0; i < row.length; i++) {
                w[i] = Math.max(w[i], row[i].length());
            }
        });
        return w;
    }

    private static void markdownTable(StringBuilder md, String[] head, List<String[]> rows) {
        md.append("| ").append(String.join(" | ", head)).append(" |\n|");
        for (int i = 0; i < head.length; i++) {
            md.append(i == 0 ? "---|" : "---:|");
        }
        md.append('\n');
        rows.forEach(row -> md.append("| ").append(String.join(" | ", row)).append(" |\n"));
        md.append('\n');
    }

    private static void appendRow(StringBuilder out, String[] row, int[] w) {
        for (int i = 0; i < row.length; i++) {
            String cell = row[i];
            String pad = " ".repeat(w[i] - cell.length());
            out.append(i == 0 ? "" : "  ").append(i == 0 || i == row.length - 1 ? cell + pad : pad + cell);
        }
        out.append('\n');
    }

    // ------------------------------------------------------------------ plumbing

    /** Names of created ConfigMaps, for the get phase. */
    static final class Queue {
        private final ConcurrentLinkedQueue<String> q = new ConcurrentLinkedQueue<>();

        void add(String s) {
            q.add(s);
        }

        String[] toArray() {
            return q.toArray(String[]::new);
        }
    }

    static void log(String msg) {
        System.out.println("[bench] " + msg);
    }

    private static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException | UncheckedIOException e) {
            log("could not delete " + dir + ": " + e);
        }
    }

    /** Command-line options. */
    static final class Options {
        static final String USAGE = """
                usage: ./kubus bench [--clients N] [--seconds S] [--warmup S] [--warmup-round S] [--list-sizes 100,1000]
                                     [--out FILE] [--keep] [--phases api,paging,security,heap] [--databases h2,postgres]
                                     [--heap-objects N] [--heap-max SIZE]
                  --clients N       concurrent clients (threads, one keep-alive connection each), default 8
                  --seconds S       measured seconds per phase, default 5
                  --warmup S        unmeasured warm-up seconds before each phase, default 2
                  --warmup-round S  unreported seconds, in all, of the api phases' operations before them (creates by N
                                    clients, gets, a list, creates by 1 client, in a namespace of their own), so the
                                    first measured phase does not pay for the JIT; default 20, 0 skips it
                  --list-sizes L    namespace sizes for the list phase, comma-separated, default 100,1000
                  --out FILE        the Markdown table, default target/bench-results.md
                  --keep            keep the H2 databases under target/bench-* and the PostgreSQL schemas
                  --phases P        which to run, comma-separated: api (create/get/list, creates while 2 clients list
                                    1,000, events), paging (updates with and without the history, with lists running),
                                    security (gets and creates with and without TLS, authentication and authorization),
                                    heap (one big list); default all
                  --databases D     the api phases' databases, comma-separated, one after the other, each with its own
                                    broker, gateway and JDBC floor: h2 (a file database), postgres (fresh schemas on
                                    KUBUS_TEST_POSTGRES_URL, default jdbc:postgresql://127.0.0.1:5432/kubus_test);
                                    default h2. The paging, security and heap phases run on H2 only, with h2 listed
                  --database D      as --databases, one database
                  --heap-objects N  pods in the heap phase's list, default 30000
                  --heap-max SIZE   the heap phase gateway's -Xmx, default 1g""";

        String[] args = new String[0];
        int clients = 8;
        int seconds = 5;
        int warmupSeconds = 2;
        int warmupRoundSeconds = 20;
        int[] listSizes = {100, 1000};
        String out = "target/bench-results.md";
        static final java.util.Set<String> PHASES = java.util.Set.of("api", "paging", "security", "heap");
        java.util.Set<String> phases = PHASES;
        List<Database> databases = List.of(Database.H2);
        int heapObjects = 30_000;
        String heapMax = "1g";
        boolean keep;
        boolean help;
        String baseUrl;
        /** How the clients of a phase connect and who they are: the administrator unless a phase says otherwise. */
        javax.net.ssl.SSLContext ssl = io.kubus.gateway.testing.TestPki.ssl(io.kubus.gateway.testing.TestPki.admin());
        String token;

        static Options parse(String[] args) {
            Options o = new Options();
            o.args = args.clone();
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                String value = null;
                int eq = a.indexOf('=');
                if (a.startsWith("--") && eq > 0) {
                    value = a.substring(eq + 1);
                    a = a.substring(0, eq);
                }
                String name = a;
                switch (name) {
                    case "--clients", "--seconds", "--warmup", "--warmup-round", "--list-sizes", "--out", "--phases", "--heap-objects",
                         "--heap-max", "--database", "--databases" -> {
                        if (value == null) {
                            if (i + 1 >= args.length) {
                                throw new IllegalArgumentException(a + " needs a value");
                            }
                            value = args[++i];
                        }
                        switch (a) {
                            case "--clients" -> o.clients = positive(a, value, 1);
                            case "--seconds" -> o.seconds = positive(a, value, 1);
                            case "--warmup" -> o.warmupSeconds = positive(a, value, 0);
                            case "--warmup-round" -> o.warmupRoundSeconds = positive(a, value, 0);
                            case "--list-sizes" -> o.listSizes = value.isBlank() ? new int[0]
                                    : Arrays.stream(value.split(",")).mapToInt(s -> positive(name, s.trim(), 1)).toArray();
                            case "--phases" -> {
                                o.phases = java.util.Set.of(value.split(","));
                                if (!PHASES.containsAll(o.phases)) {
                                    throw new IllegalArgumentException("--phases takes api, paging, security and heap, not " + value);
                                }
                            }
                            case "--heap-objects" -> o.heapObjects = positive(a, value, 0);
                            case "--heap-max" -> o.heapMax = value;
                            case "--database" -> o.databases = List.of(Database.of(value));
                            case "--databases" -> o.databases = Arrays.stream(value.split(",")).map(Database::of)
                                    .distinct().toList();
                            default -> o.out = value;
                        }
                    }
                    case "--keep" -> o.keep = true;
                    case "-h", "--help" -> o.help = true;
                    default -> throw new IllegalArgumentException("unknown argument: " + args[i]);
                }
            }
            return o;
        }

        private static int positive(String name, String value, int min) {
            try {
                int v = Integer.parseInt(value);
                if (v >= min) {
                    return v;
                }
            } catch (NumberFormatException e) {
                // below
            }
            throw new IllegalArgumentException(name + " must be an integer >= " + min + ", not '" + value + "'");
        }

        Options withClients(int n) {
            Options o = new Options();
            o.args = args;
            o.clients = n;
            o.seconds = seconds;
            o.warmupSeconds = warmupSeconds;
            o.warmupRoundSeconds = warmupRoundSeconds;
            o.listSizes = listSizes;
            o.out = out;
            o.keep = keep;
            o.baseUrl = baseUrl;
            o.phases = phases;
            o.databases = databases;
            o.heapObjects = heapObjects;
            o.heapMax = heapMax;
            return o;
        }
    }
}
