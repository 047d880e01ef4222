package io.kubus.gateway.outbox;

import io.kubus.broker.EmbeddedKafkaBroker;
import io.kubus.gateway.testing.GatewayFixture;
import io.kubus.schema.ResourceTypes;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The change topics' record limit at a gateway's start: a topic made with Kafka's default (by an older gateway, or
 * by hand) is raised so that the largest object's event fits; one an operator set larger keeps its own; a topic the
 * gateway makes has the limit from the start.
 */
class ChangeTopicsLimitTest {
    private static final String SMALL = ResourceTypes.CONFIGMAPS.topic();
    private static final String LARGE = ResourceTypes.SECRETS.topic();
    private static final String MADE = ResourceTypes.PODS.topic();
    private static final int OPERATORS_LIMIT = 16 * 1024 * 1024;

    @Test
    void smallerLimitsAreRaisedALargerOneStays() throws Exception {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.startTemporary();
             Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(SMALL, 1, (short) 1),
                    new NewTopic(LARGE, 1, (short) 1).configs(Map.of(TopicConfig.MAX_MESSAGE_BYTES_CONFIG,
                            Integer.toString(OPERATORS_LIMIT))))).all().get(30, TimeUnit.SECONDS);
            int brokersDefault = limit(admin, SMALL);
            assertEquals(1024 * 1024 + 12, brokersDefault, "the topic made by hand has Kafka's default");

            try (GatewayFixture gateway = GatewayFixture.start(broker, false, GatewayFixture.h2InMemory(), Map.of())) {
                assertEquals(ChangeTopics.MAX_EVENT_BYTES, limit(admin, SMALL), "raised");
                assertEquals(OPERATORS_LIMIT, limit(admin, LARGE), "the operator's larger limit stays");
                assertEquals(ChangeTopics.MAX_EVENT_BYTES, limit(admin, MADE), "made with the limit");
            }
        }
    }

    private static int limit(Admin admin, String topic) throws Exception {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        Config config = admin.describeConfigs(List.of(resource)).all().get(30, TimeUnit.SECONDS).get(resource);
        return Integer.parseInt(config.get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG).value());
    }
}
