package io.kubus.gateway.testing;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

/**
 * The real PostgreSQL server the store tests run against ({@code .ci/prepare-machine} starts it). Absent server
 * means a failing test, never a skipped one: CI must prove the store on PostgreSQL.
 */
public final class TestPostgres {
    private TestPostgres() {
    }

    public static String url() {
        return env("KUBUS_TEST_POSTGRES_URL", "jdbc:postgresql://127.0.0.1:5432/kubus_test");
    }

    public static String user() {
        return env("KUBUS_TEST_POSTGRES_USER", "kubus");
    }

    public static String password() {
        return env("KUBUS_TEST_POSTGRES_PASSWORD", "kubus");
    }

    /** A fresh, empty schema in the test database, so test runs never see each other's rows; returns its URL. */
    public static String freshSchemaUrl() {
        String schema = "t_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        try (Connection c = DriverManager.getConnection(url(), user(), password()); Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA " + schema);
        } catch (SQLException e) {
            throw new IllegalStateException("PostgreSQL at " + url() + " is not reachable (" + e.getMessage()
                    + "); start it with .ci/prepare-machine", e);
        }
        return url() + (url().contains("?") ? "&" : "?") + "currentSchema=" + schema;
    }

    private static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isEmpty() ? fallback : v;
    }
}
