package io.kubus.controllers.bench;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** What the controllers' benchmarks share: their arguments, waiting with progress reports, and timing. */
final class Bench {
    private Bench() {
    }

    /** Polls every 200 ms until {@code done}, printing {@code progress} every 15 s; gives up after 20 minutes. */
    static void await(String what, BooleanSupplier done, Supplier<String> progress) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(20).toNanos();
        long nextReport = System.nanoTime();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(what + ": not done after 20 minutes; " + progress.get());
            }
            if (System.nanoTime() > nextReport) {
                System.out.printf("[bench] %s: %s%n", what, progress.get());
                nextReport = System.nanoTime() + Duration.ofSeconds(15).toNanos();
            }
            Thread.sleep(200);
        }
    }

    static double seconds(long since) {
        return (System.nanoTime() - since) / 1e9;
    }

    static int intArg(String[] args, String name, int fallback) {
        return Integer.parseInt(stringArg(args, name, Integer.toString(fallback)));
    }

    static String stringArg(String[] args, String name, String fallback) {
        for (int i = 0; i < args.length - 1; i++) {
            if (args[i].equals(name)) {
                return args[i + 1];
            }
        }
        return fallback;
    }
}
