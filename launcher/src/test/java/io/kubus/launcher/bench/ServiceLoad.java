package io.kubus.launcher.bench;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.Hashtable;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.naming.directory.InitialDirContext;

/**
 * The client side of {@link ServiceBenchmark}, run inside a pod (the service range is reachable from pods only) with
 * nothing but the JDK: {@code http URLS SECONDS CONNECTIONS} (one request per connection, as busybox httpd closes
 * each, the URLs taken in turn), {@code dns SERVER NAME SECONDS THREADS} (A lookups through JNDI's DNS client, no
 * cache), and {@code first URL SECONDS} (requests one after another; prints each answer's body the first time it is
 * seen, with the time).
 */
public final class ServiceLoad {
    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "http" -> http(args[1].split(","), Integer.parseInt(args[2]), Integer.parseInt(args[3]));
            case "dns" -> dns(args[1], args[2], Integer.parseInt(args[3]), Integer.parseInt(args[4]));
            case "first" -> first(args[1], Integer.parseInt(args[2]));
            default -> throw new IllegalArgumentException(args[0]);
        }
    }

    private static void http(String[] urls, int seconds, int connections) throws Exception {
        run("http", seconds, connections, i -> get(URI.create(urls[i % urls.length])));
    }

    private static void dns(String server, String name, int seconds, int threads) throws Exception {
        run("dns", seconds, threads, i -> {
            Hashtable<String, String> env = new Hashtable<>();
            env.put("java.naming.factory.initial", "com.sun.jndi.dns.DnsContextFactory");
            env.put("java.naming.provider.url", "dns://" + server);
            env.put("com.sun.jndi.dns.timeout.initial", "2000");
            env.put("com.sun.jndi.dns.timeout.retries", "1");
            var ctx = new InitialDirContext(env);
            try {
                if (ctx.getAttributes(name, new String[]{"A"}).get("A") == null) {
                    throw new IllegalStateException("no A record for " + name);
                }
            } finally {
                ctx.close();
            }
            return "";
        });
    }

    private static void first(String url, int seconds) throws Exception {
        Set<String> seen = new HashSet<>();
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        while (System.nanoTime() < end) {
            try {
                String body = get(URI.create(url)).strip();
                if (seen.add(body)) {
                    System.out.println("FIRST " + body + " " + System.currentTimeMillis());
                    System.out.flush();
                }
            } catch (Exception e) {
                // a refused or reset connection while endpoints change: the next request tells
            }
        }
    }

    @FunctionalInterface
    private interface Call {
        String call(int i) throws Exception;
    }

    /** {@code workers} threads call for {@code seconds} (after one unmeasured second); prints count, rate, p50, p99. */
    private static void run(String what, int seconds, int workers, Call call) throws Exception {
        AtomicBoolean measuring = new AtomicBoolean(false);
        AtomicBoolean stop = new AtomicBoolean(false);
        long[] errors = new long[workers];
        List<Thread> threads = new ArrayList<>();
        List<List<Long>> latencies = new ArrayList<>();
        for (int w = 0; w < workers; w++) {
            List<Long> mine = new ArrayList<>(100_000);
            latencies.add(mine);
            int worker = w;
            threads.add(Thread.ofPlatform().start(() -> {
                int i = worker;
                while (!stop.get()) {
                    long t0 = System.nanoTime();
                    try {
                        call.call(i++);
                        if (measuring.get()) {
                            mine.add(System.nanoTime() - t0);
                        }
                    } catch (Exception e) {
                        if (measuring.get()) {
                            errors[worker]++;
                        }
                    }
                }
            }));
        }
        Thread.sleep(1_000);
        measuring.set(true);
        long t0 = System.nanoTime();
        Thread.sleep(seconds * 1_000L);
        measuring.set(false);
        double elapsed = (System.nanoTime() - t0) / 1e9;
        stop.set(true);
        for (Thread t : threads) {
            t.join();
        }
        List<Long> all = new ArrayList<>();
        latencies.forEach(all::addAll);
        Collections.sort(all);
        long failed = 0;
        for (long e : errors) {
            failed += e;
        }
        System.out.printf("RESULT %s count=%d rate=%.1f p50us=%d p99us=%d errors=%d%n", what, all.size(),
                all.size() / elapsed, percentile(all, 50), percentile(all, 99), failed);
    }

    private static long percentile(List<Long> sorted, int p) {
        return sorted.isEmpty() ? -1 : sorted.get(Math.min(sorted.size() - 1, sorted.size() * p / 100)) / 1_000;
    }

    /** One HTTP/1.0 GET on a connection of its own; the body. */
    private static String get(URI uri) throws Exception {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(uri.getHost(), uri.getPort() < 0 ? 80 : uri.getPort()), 2_000);
            s.setSoTimeout(5_000);
            OutputStream out = s.getOutputStream();
            out.write(("GET " + (uri.getPath().isEmpty() ? "/" : uri.getPath()) + " HTTP/1.0\r\nHost: "
                    + uri.getHost() + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            InputStream in = s.getInputStream();
            String answer = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            if (!answer.startsWith("HTTP/1.") || !answer.contains(" 200 ")) {
                throw new IllegalStateException("not 200: " + answer.lines().findFirst().orElse(""));
            }
            int body = answer.indexOf("\r\n\r\n");
            return body < 0 ? "" : answer.substring(body + 4);
        }
    }
}
