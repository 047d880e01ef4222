package io.kubus.gateway.protobuf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.Message;
import io.kubernetes.client.proto.IntStr.IntOrString;
import io.kubernetes.client.proto.Meta;
import io.kubernetes.client.proto.Meta.ObjectMeta;
import io.kubernetes.client.proto.Resource.Quantity;
import io.kubernetes.client.proto.Runtime;
import io.kubernetes.client.proto.RuntimeSchema;
import io.kubernetes.client.proto.V1;
import io.kubernetes.client.proto.V1Apps;
import io.kubernetes.client.proto.V1Autoscaling;
import io.kubernetes.client.proto.V1Batch;
import io.kubus.gateway.api.ApiException;
import io.kubus.gateway.api.RequestBodies;
import io.kubus.schema.KubusJson;
import io.kubus.schema.ResourceType;
import io.kubus.schema.ResourceTypes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Messages built with client-java-proto the way Go's generated code writes them (every non-pointer field, zero or
 * not; an unset Time as an empty message), wrapped in the k8s\0 envelope, decoded, and compared with the JSON
 * kube-apiserver would show for the same object.
 */
class KubernetesProtobufTest {
    private final KubernetesProtobuf protobuf = new KubernetesProtobuf();

    @Test
    void namespace() {
        V1.Namespace ns = V1.Namespace.newBuilder().setMetadata(meta("team-a", ""))
                .setSpec(V1.NamespaceSpec.getDefaultInstance())
                .setStatus(V1.NamespaceStatus.newBuilder().setPhase(""))
                .build();
        assertJson("""
                {"kind":"Namespace","apiVersion":"v1",
                 "metadata":{"name":"team-a","creationTimestamp":null},"spec":{},"status":{}}""",
                decode("v1", "Namespace", ns));
    }

    @Test
    void configMapKeepsEmptyValuesInItsMaps() {
        V1.ConfigMap cm = V1.ConfigMap.newBuilder()
                .setMetadata(meta("c1", "team-a").toBuilder().putLabels("app", "web").putAnnotations("note", ""))
                .putData("a", "b").putData("empty", "")
                .putBinaryData("bin", ByteString.copyFrom(new byte[] {0, 1, 2}))
                .setImmutable(false)
                .build();
        assertJson("""
                {"kind":"ConfigMap","apiVersion":"v1",
                 "metadata":{"name":"c1","namespace":"team-a","creationTimestamp":null,
                             "labels":{"app":"web"},"annotations":{"note":""}},
                 "data":{"a":"b","empty":""},"binaryData":{"bin":"AAEC"},"immutable":false}""",
                decode("v1", "ConfigMap", cm));
    }

    @Test
    void secretDataIsBase64() {
        byte[] binary = {(byte) 0xff, 0, (byte) 0x80, 'k', '8', 's'};
        V1.Secret secret = V1.Secret.newBuilder().setMetadata(meta("s1", ""))
                .putData("pw", ByteString.copyFromUtf8("secret"))
                .putData("bin", ByteString.copyFrom(binary))
                .putData("none", ByteString.EMPTY)
                .setType("Opaque")
                .build();
        assertJson("""
                {"kind":"Secret","apiVersion":"v1","metadata":{"name":"s1","creationTimestamp":null},
                 "data":{"pw":"c2VjcmV0","bin":"/wCAazhz","none":""},"type":"Opaque"}""",
                decode("v1", "Secret", secret));
    }

    @Test
    void deploymentWithAFullPodTemplate() {
        V1.Container container = V1.Container.newBuilder().setName("nginx").setImage("nginx:1.27")
                .addCommand("nginx").addArgs("-g").addArgs("daemon off;")
                .addPorts(V1.ContainerPort.newBuilder().setName("http").setContainerPort(80).setHostPort(0)
                        .setProtocol("TCP").setHostIP(""))
                .addEnv(V1.EnvVar.newBuilder().setName("MODE").setValue("prod"))
                .addEnv(V1.EnvVar.newBuilder().setName("PW").setValue("").setValueFrom(V1.EnvVarSource.newBuilder()
                        .setSecretKeyRef(V1.SecretKeySelector.newBuilder().setKey("pw")
                                .setLocalObjectReference(V1.LocalObjectReference.newBuilder().setName("s1")))))
                .addEnvFrom(V1.EnvFromSource.newBuilder().setPrefix("").setConfigMapRef(V1.ConfigMapEnvSource
                        .newBuilder().setOptional(false)
                        .setLocalObjectReference(V1.LocalObjectReference.newBuilder().setName("cfg"))))
                .addVolumeMounts(V1.VolumeMount.newBuilder().setName("data").setMountPath("/data")
                        .setReadOnly(false).setSubPath(""))
                .setResources(V1.ResourceRequirements.newBuilder()
                        .putRequests("cpu", quantity("100m")).putRequests("memory", quantity("64Mi"))
                        .putLimits("cpu", quantity("500m")).putLimits("memory", quantity("128Mi")))
                .setReadinessProbe(V1.Probe.newBuilder()
                        .setHandler(V1.ProbeHandler.newBuilder().setHttpGet(V1.HTTPGetAction.newBuilder()
                                .setPath("/healthz").setPort(IntOrString.newBuilder().setType(1).setStrVal("http"))
                                .setHost("").setScheme("")))
                        .setInitialDelaySeconds(5).setTimeoutSeconds(0).setPeriodSeconds(0)
                        .setSuccessThreshold(0).setFailureThreshold(0))
                .setImagePullPolicy("").setTerminationMessagePath("").setStdin(false).setTty(false)
                .build();
        V1.PodSpec pod = V1.PodSpec.newBuilder().addContainers(container)
                .addVolumes(V1.Volume.newBuilder().setName("data").setVolumeSource(V1.VolumeSource.newBuilder()
                        .setEmptyDir(V1.EmptyDirVolumeSource.newBuilder().setMedium("")
                                .setSizeLimit(quantity("1Gi")))))
                .setRestartPolicy("").setDnsPolicy("").setServiceAccountName("").setHostNetwork(false)
                .setTerminationGracePeriodSeconds(0)
                .build();
        V1Apps.Deployment deployment = V1Apps.Deployment.newBuilder()
                .setMetadata(meta("d1", "default").toBuilder().putLabels("app", "d1").setGeneration(0))
                .setSpec(V1Apps.DeploymentSpec.newBuilder()
                        .setReplicas(2)
                        .setSelector(Meta.LabelSelector.newBuilder().putMatchLabels("app", "d1"))
                        .setTemplate(V1.PodTemplateSpec.newBuilder()
                                .setMetadata(meta("", "").toBuilder().putLabels("app", "d1"))
                                .setSpec(pod))
                        .setStrategy(V1Apps.DeploymentStrategy.newBuilder().setType("RollingUpdate")
                                .setRollingUpdate(V1Apps.RollingUpdateDeployment.newBuilder()
                                        .setMaxSurge(IntOrString.newBuilder().setType(0).setIntVal(1).setStrVal(""))
                                        .setMaxUnavailable(IntOrString.newBuilder().setType(0).setIntVal(0)
                                                .setStrVal(""))))
                        .setMinReadySeconds(0).setPaused(false))
                .setStatus(V1Apps.DeploymentStatus.newBuilder().setReplicas(0).setObservedGeneration(0))
                .build();
        assertJson("""
                {"kind":"Deployment","apiVersion":"apps/v1",
                 "metadata":{"name":"d1","namespace":"default","creationTimestamp":null,"labels":{"app":"d1"}},
                 "spec":{"replicas":2,"selector":{"matchLabels":{"app":"d1"}},
                   "template":{"metadata":{"creationTimestamp":null,"labels":{"app":"d1"}},
                     "spec":{"containers":[{"name":"nginx","image":"nginx:1.27","command":["nginx"],
                       "args":["-g","daemon off;"],
                       "ports":[{"name":"http","containerPort":80,"protocol":"TCP"}],
                       "env":[{"name":"MODE","value":"prod"},
                              {"name":"PW","valueFrom":{"secretKeyRef":{"name":"s1","key":"pw"}}}],
                       "envFrom":[{"configMapRef":{"name":"cfg","optional":false}}],
                       "volumeMounts":[{"name":"data","mountPath":"/data"}],
                       "resources":{"limits":{"cpu":"500m","memory":"128Mi"},
                                    "requests":{"cpu":"100m","memory":"64Mi"}},
                       "readinessProbe":{"httpGet":{"path":"/healthz","port":"http"},"initialDelaySeconds":5}}],
                       "volumes":[{"name":"data","emptyDir":{"sizeLimit":"1Gi"}}],
                       "terminationGracePeriodSeconds":0}},
                   "strategy":{"type":"RollingUpdate","rollingUpdate":{"maxUnavailable":0,"maxSurge":1}}},
                 "status":{}}""",
                decode("apps/v1", "Deployment", deployment));
    }

    @Test
    void serviceTargetPortsAsNumberAndName() {
        V1.Service service = V1.Service.newBuilder().setMetadata(meta("svc1", ""))
                .setSpec(V1.ServiceSpec.newBuilder().setType("ClusterIP").setClusterIP("")
                        .putSelector("app", "svc1")
                        .addPorts(V1.ServicePort.newBuilder().setName("80-8080").setProtocol("TCP").setPort(80)
                                .setTargetPort(IntOrString.newBuilder().setType(0).setIntVal(8080).setStrVal(""))
                                .setNodePort(0))
                        .addPorts(V1.ServicePort.newBuilder().setName("https").setProtocol("TCP").setPort(443)
                                .setTargetPort(IntOrString.newBuilder().setType(1).setIntVal(0).setStrVal("web")))
                        .addPorts(V1.ServicePort.newBuilder().setName("dns").setProtocol("UDP").setPort(53)
                                .setTargetPort(IntOrString.newBuilder().setType(0).setIntVal(0).setStrVal("")))
                        .setAllocateLoadBalancerNodePorts(false))
                .setStatus(V1.ServiceStatus.newBuilder().setLoadBalancer(V1.LoadBalancerStatus.getDefaultInstance()))
                .build();
        assertJson("""
                {"kind":"Service","apiVersion":"v1","metadata":{"name":"svc1","creationTimestamp":null},
                 "spec":{"ports":[{"name":"80-8080","protocol":"TCP","port":80,"targetPort":8080},
                                  {"name":"https","protocol":"TCP","port":443,"targetPort":"web"},
                                  {"name":"dns","protocol":"UDP","port":53}],
                         "selector":{"app":"svc1"},"type":"ClusterIP","allocateLoadBalancerNodePorts":false},
                 "status":{"loadBalancer":{}}}""",
                decode("v1", "Service", service));
    }

    @Test
    void jobKeepsItsPointerZeros() {
        V1Batch.Job job = V1Batch.Job.newBuilder().setMetadata(meta("j1", ""))
                .setSpec(V1Batch.JobSpec.newBuilder().setBackoffLimit(0).setTtlSecondsAfterFinished(0)
                        .setSuspend(false)
                        .setTemplate(V1.PodTemplateSpec.newBuilder().setMetadata(meta("", ""))
                                .setSpec(V1.PodSpec.newBuilder().setRestartPolicy("Never")
                                        .addContainers(V1.Container.newBuilder().setName("j1").setImage("busybox")))))
                .setStatus(V1Batch.JobStatus.newBuilder().setActive(0).setSucceeded(0).setFailed(0))
                .build();
        assertJson("""
                {"kind":"Job","apiVersion":"batch/v1","metadata":{"name":"j1","creationTimestamp":null},
                 "spec":{"backoffLimit":0,"ttlSecondsAfterFinished":0,"suspend":false,
                   "template":{"metadata":{"creationTimestamp":null},
                     "spec":{"containers":[{"name":"j1","image":"busybox","resources":{}}],"restartPolicy":"Never"}}},
                 "status":{}}""",
                decode("batch/v1", "Job", withResources(job)));
    }

    @Test
    void cronJob() {
        V1Batch.CronJob cronJob = V1Batch.CronJob.newBuilder().setMetadata(meta("cj1", "default"))
                .setSpec(V1Batch.CronJobSpec.newBuilder().setSchedule("*/5 * * * *").setConcurrencyPolicy("")
                        .setJobTemplate(V1Batch.JobTemplateSpec.newBuilder().setMetadata(meta("cj1", ""))
                                .setSpec(V1Batch.JobSpec.newBuilder().setTemplate(V1.PodTemplateSpec.newBuilder()
                                        .setMetadata(meta("", ""))
                                        .setSpec(V1.PodSpec.newBuilder().setRestartPolicy("OnFailure")
                                                .addContainers(V1.Container.newBuilder().setName("cj1")
                                                        .setImage("busybox")))))))
                .setStatus(V1Batch.CronJobStatus.newBuilder()
                        .setLastScheduleTime(Meta.Time.newBuilder().setSeconds(1_700_000_000L).setNanos(5)))
                .build();
        assertJson("""
                {"kind":"CronJob","apiVersion":"batch/v1",
                 "metadata":{"name":"cj1","namespace":"default","creationTimestamp":null},
                 "spec":{"schedule":"*/5 * * * *",
                   "jobTemplate":{"metadata":{"name":"cj1","creationTimestamp":null},
                     "spec":{"template":{"metadata":{"creationTimestamp":null},
                       "spec":{"containers":[{"name":"cj1","image":"busybox"}],"restartPolicy":"OnFailure"}}}}},
                 "status":{"lastScheduleTime":"2023-11-14T22:13:20Z"}}""",
                decode("batch/v1", "CronJob", cronJob));
    }

    @Test
    void managedFieldsTimesAndMicroTimes() {
        ObjectMeta meta = meta("c2", "").toBuilder()
                .setCreationTimestamp(Meta.Time.newBuilder().setSeconds(0).setNanos(0))
                .setDeletionGracePeriodSeconds(0)
                .addManagedFields(Meta.ManagedFieldsEntry.newBuilder().setManager("kubectl-create")
                        .setOperation("Update").setApiVersion("v1").setFieldsType("FieldsV1")
                        .setTime(Meta.Time.newBuilder().setSeconds(1_136_214_245L))
                        .setFieldsV1(Meta.FieldsV1.newBuilder()
                                .setRaw(ByteString.copyFromUtf8("{\"f:data\":{\"f:a\":{}}}"))))
                .addOwnerReferences(Meta.OwnerReference.newBuilder().setApiVersion("v1").setKind("Pod")
                        .setName("p").setUid("u-1").setController(true).setBlockOwnerDeletion(false))
                .build();
        JsonNode json = decode("v1", "ConfigMap", V1.ConfigMap.newBuilder().setMetadata(meta).build());
        assertJson("""
                {"name":"c2","creationTimestamp":"1970-01-01T00:00:00Z","deletionGracePeriodSeconds":0,
                 "ownerReferences":[{"apiVersion":"v1","kind":"Pod","name":"p","uid":"u-1","controller":true,
                                     "blockOwnerDeletion":false}],
                 "managedFields":[{"manager":"kubectl-create","operation":"Update","apiVersion":"v1",
                                   "time":"2006-01-02T15:04:05Z","fieldsType":"FieldsV1",
                                   "fieldsV1":{"f:data":{"f:a":{}}}}]}""", json.get("metadata"));

        V1.Event event = V1.Event.newBuilder().setMetadata(meta("e", "default"))
                .setEventTime(Meta.MicroTime.newBuilder().setSeconds(1_136_214_245L).setNanos(123_456_789))
                .setFirstTimestamp(Meta.Time.getDefaultInstance())
                .setCount(0).setReason("Started")
                .build();
        assertJson("""
                {"kind":"Event","apiVersion":"v1","metadata":{"name":"e","namespace":"default",
                 "creationTimestamp":null},"reason":"Started","firstTimestamp":null,
                 "eventTime":"2006-01-02T15:04:05.123456Z"}""", decode("v1", "Event", event));
    }

    @Test
    void deleteOptionsAndScale() {
        Meta.DeleteOptions opts = Meta.DeleteOptions.newBuilder().setGracePeriodSeconds(0)
                .setPropagationPolicy("Foreground").addDryRun("All")
                .setPreconditions(Meta.Preconditions.newBuilder().setUid("u-1"))
                .build();
        assertJson("""
                {"kind":"DeleteOptions","apiVersion":"v1","gracePeriodSeconds":0,"propagationPolicy":"Foreground",
                 "dryRun":["All"],"preconditions":{"uid":"u-1"}}""", decode("v1", "DeleteOptions", opts));
        assertEquals("DeleteOptions", decode("apps/v1", "DeleteOptions", opts).path("kind").asText());
        assertEquals("DeleteOptions", decode("meta.k8s.io/v1", "DeleteOptions", opts).path("kind").asText());

        V1Autoscaling.Scale scale = V1Autoscaling.Scale.newBuilder().setMetadata(meta("d1", "default"))
                .setSpec(V1Autoscaling.ScaleSpec.newBuilder().setReplicas(0))
                .setStatus(V1Autoscaling.ScaleStatus.newBuilder().setReplicas(0).setSelector(""))
                .build();
        assertJson("""
                {"kind":"Scale","apiVersion":"autoscaling/v1",
                 "metadata":{"name":"d1","namespace":"default","creationTimestamp":null},
                 "spec":{"replicas":0},"status":{}}""", decode("autoscaling/v1", "Scale", scale));
    }

    @Test
    void rawExtensionIsTheEmbeddedJson() {
        V1Apps.ControllerRevision revision = V1Apps.ControllerRevision.newBuilder().setMetadata(meta("r", ""))
                .setData(Runtime.RawExtension.newBuilder()
                        .setRaw(ByteString.copyFromUtf8("{\"spec\":{\"replicas\":3}}")))
                .setRevision(2)
                .build();
        ObjectNode out = protobuf.decodeMessage(revision);
        assertJson("""
                {"metadata":{"name":"r","creationTimestamp":null},"data":{"spec":{"replicas":3}},"revision":2}""",
                out);
    }

    @Test
    void goDurations() {
        assertEquals("0s", GoDuration.format(0));
        assertEquals("1ns", GoDuration.format(1));
        assertEquals("1.5µs", GoDuration.format(1_500));
        assertEquals("300ms", GoDuration.format(300_000_000));
        assertEquals("1.5s", GoDuration.format(1_500_000_000L));
        assertEquals("1m0s", GoDuration.format(60_000_000_000L));
        assertEquals("1h30m0s", GoDuration.format(5_400_000_000_000L));
        assertEquals("-2m3.000000004s", GoDuration.format(-123_000_000_004L));
        assertEquals("-2562047h47m16.854775808s", GoDuration.format(Long.MIN_VALUE));
    }

    @Test
    void everyServedKindAndItsApiVersionPassesRequestBodies() {
        RequestBodies bodies = new RequestBodies(protobuf);
        List<String> withoutSchema = new ArrayList<>();
        for (ResourceType type : ResourceTypes.all()) {
            Descriptor d = KubernetesProtobuf.protoFile(type.group(), type.version())
                    .map(f -> f.findMessageTypeByName(type.kind())).orElse(null);
            if (d == null) {
                withoutSchema.add(type.apiVersion() + " " + type.kind());
                continue;
            }
            Message m = com.google.protobuf.DynamicMessage.newBuilder(d)
                    .setField(d.findFieldByName("metadata"), meta("x", "")).build();
            ObjectNode obj = bodies.object(type, KubernetesProtobuf.MEDIA_TYPE + "; charset=utf-8",
                    envelope(type.apiVersion(), type.kind(), m));
            assertEquals(type.kind(), obj.path("kind").asText());
            assertEquals(type.apiVersion(), obj.path("apiVersion").asText());
            assertEquals("x", obj.path("metadata").path("name").asText());
        }
        // a group version client-java-proto 24.0.0 has no generated.proto for takes JSON bodies only
        assertEquals(List.of("discovery.k8s.io/v1 EndpointSlice",
                "coordination.k8s.io/v1 Lease",
                "autoscaling/v2 HorizontalPodAutoscaler", "events.k8s.io/v1 Event",
                "apiextensions.k8s.io/v1 CustomResourceDefinition"), withoutSchema);
        ApiException wrong = assertThrows(ApiException.class, () -> bodies.object(ResourceTypes.PODS,
                KubernetesProtobuf.MEDIA_TYPE, envelope("v1", "ConfigMap", V1.ConfigMap.getDefaultInstance())));
        assertEquals(400, wrong.code());
    }

    @Test
    void everyProtoFieldNameIsItsJsonNameAndEveryPointerFieldExists() {
        List<String> mismatched = new ArrayList<>();
        List<String> initialisms = new ArrayList<>();
        for (FileDescriptor file : servedFiles()) {
            for (Descriptor d : file.getMessageTypes()) {
                for (FieldDescriptor f : d.getFields()) {
                    if (!f.getJsonName().equals(f.getName())) {
                        mismatched.add(f.getFullName() + " json=" + f.getJsonName());
                    }
                    // a Go field named with an initialism and no protobuf name of its own: not its JSON name
                    if (f.getName().matches("[a-z][A-Z].*")) {
                        initialisms.add(f.getFullName());
                    }
                }
            }
        }
        assertEquals(List.of(), mismatched);
        assertEquals(Set.copyOf(initialisms), KubernetesProtobuf.JSON_NAMES.keySet());
        for (String inline : KubernetesProtobuf.INLINE_FIELDS) {
            int dot = inline.lastIndexOf('.');
            Descriptor d = descriptor(inline.substring(0, dot));
            assertTrue(d != null && d.findFieldByName(inline.substring(dot + 1)) != null, inline);
        }
        List<String> missing = new ArrayList<>();
        for (String name : KubernetesProtobuf.readPointerFields()) {
            int dot = name.lastIndexOf('.');
            String message = name.substring(0, dot);
            Descriptor d = descriptor(message);
            if (d == null || d.findFieldByName(name.substring(dot + 1)) == null) {
                missing.add(name);
            }
        }
        // client-java-proto 24.0.0 lacks a few fields Kubernetes 1.32 added (most of them alpha or beta).
        assertEquals(Set.of(
                "k8s.io.api.core.v1.PodResourceClaim.resourceClaimName",
                "k8s.io.api.core.v1.PodResourceClaim.resourceClaimTemplateName",
                "k8s.io.api.core.v1.VolumeSource.image",
                "k8s.io.api.core.v1.NodeFeatures.supplementalGroupsPolicy",
                "k8s.io.api.core.v1.PodLogOptions.stream",
                "k8s.io.api.core.v1.PodSpec.resources",
                "k8s.io.api.core.v1.NodeStatus.features",
                "k8s.io.api.core.v1.ContainerUser.linux",
                "k8s.io.api.core.v1.ContainerStatus.user",
                "k8s.io.apimachinery.pkg.apis.meta.v1.DeleteOptions.ignoreStoreReadErrorWithClusterBreakingPotential",
                "k8s.io.api.core.v1.NodeRuntimeHandlerFeatures.userNamespaces",
                "k8s.io.api.core.v1.PodSecurityContext.supplementalGroupsPolicy",
                "k8s.io.api.core.v1.PodSecurityContext.seLinuxChangePolicy"), Set.copyOf(missing));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "k8s", "{\"kind\":\"Namespace\"}", "k8s\u0001xyz"})
    void junkWithoutTheMagicIs400(String body) {
        ApiException e = assertThrows(ApiException.class,
                () -> protobuf.decode(body.getBytes(StandardCharsets.ISO_8859_1)));
        assertEquals(400, e.code());
        assertEquals("BadRequest", e.status().getReason());
        assertTrue(e.getMessage().contains("k8s"), e.getMessage());
    }

    @Test
    void truncatedIs400() {
        byte[] full = envelope("v1", "ConfigMap", V1.ConfigMap.newBuilder().setMetadata(meta("c1", "ns"))
                .putData("key", "value").build());
        for (int cut : new int[] {full.length - 1, full.length - 5, 10, 6}) {
            ApiException e = assertThrows(ApiException.class, () -> protobuf.decode(Arrays.copyOf(full, cut)),
                    "cut at " + cut);
            assertEquals(400, e.code());
        }
        byte[] badRaw = envelopeRaw("v1", "ConfigMap", new byte[] {0x0a, 0x7f, 0x01});
        assertEquals(400, assertThrows(ApiException.class, () -> protobuf.decode(badRaw)).code());
    }

    @Test
    void aFieldNewerThanTheSchemaIs400() {
        // PodSpec.resources (field 40) is in Kubernetes 1.32 but not in client-java-proto 24.0.0.
        V1.Pod pod = V1.Pod.newBuilder().setMetadata(meta("p", ""))
                .setSpec(V1.PodSpec.newBuilder().setUnknownFields(com.google.protobuf.UnknownFieldSet.newBuilder()
                        .addField(40, com.google.protobuf.UnknownFieldSet.Field.newBuilder()
                                .addLengthDelimited(ByteString.copyFromUtf8("")).build()).build()))
                .build();
        ApiException e = assertThrows(ApiException.class, () -> decode("v1", "Pod", pod));
        assertEquals(400, e.code());
        assertTrue(e.getMessage().contains("k8s.io.api.core.v1.PodSpec"), e.getMessage());
    }

    @Test
    void unknownOrMissingKindIs400() {
        byte[] widget = envelope("v1", "Widget", V1.ConfigMap.getDefaultInstance());
        ApiException e = assertThrows(ApiException.class, () -> protobuf.decode(widget));
        assertEquals(400, e.code());
        assertTrue(e.getMessage().contains("Widget"), e.getMessage());
        byte[] wrongVersion = envelope("apps/v1", "ConfigMap", V1.ConfigMap.getDefaultInstance());
        assertEquals(400, assertThrows(ApiException.class, () -> protobuf.decode(wrongVersion)).code());
        byte[] noKind = envelope("v1", "", V1.ConfigMap.getDefaultInstance());
        assertTrue(assertThrows(ApiException.class, () -> protobuf.decode(noKind)).getMessage().contains("Kind"));
        byte[] gzip = withUnknown(Runtime.Unknown.newBuilder()
                .setTypeMeta(Runtime.TypeMeta.newBuilder().setApiVersion("v1").setKind("ConfigMap"))
                .setContentEncoding("gzip").setRaw(ByteString.EMPTY).build());
        assertEquals(400, assertThrows(ApiException.class, () -> protobuf.decode(gzip)).code());
    }

    @Test
    void requestBodiesStillRefusesUnknownMediaTypes() {
        RequestBodies bodies = new RequestBodies(protobuf);
        ApiException e = assertThrows(ApiException.class,
                () -> bodies.json("application/xml", "<a/>".getBytes(StandardCharsets.UTF_8)));
        assertEquals(415, e.code());
        assertTrue(e.getMessage().contains(KubernetesProtobuf.MEDIA_TYPE), e.getMessage());
    }

    // --- helpers

    private JsonNode decode(String apiVersion, String kind, Message message) {
        return protobuf.decode(envelope(apiVersion, kind, message));
    }

    /** ObjectMeta as Go writes it: the non-pointer strings always, an unset creationTimestamp as an empty Time. */
    static ObjectMeta meta(String name, String namespace) {
        return ObjectMeta.newBuilder().setName(name).setGenerateName("").setNamespace(namespace).setSelfLink("")
                .setUid("").setResourceVersion("").setGeneration(0)
                .setCreationTimestamp(Meta.Time.getDefaultInstance())
                .build();
    }

    private static Quantity quantity(String s) {
        return Quantity.newBuilder().setString(s).build();
    }

    /** Go writes a container's resources always, as an empty message when there are none. */
    private static V1Batch.Job withResources(V1Batch.Job job) {
        V1Batch.Job.Builder b = job.toBuilder();
        b.getSpecBuilder().getTemplateBuilder().getSpecBuilder().getContainersBuilder(0)
                .setResources(V1.ResourceRequirements.getDefaultInstance());
        return b.build();
    }

    static byte[] envelope(String apiVersion, String kind, Message message) {
        return envelopeRaw(apiVersion, kind, message.toByteArray());
    }

    private static byte[] envelopeRaw(String apiVersion, String kind, byte[] raw) {
        return withUnknown(Runtime.Unknown.newBuilder()
                .setTypeMeta(Runtime.TypeMeta.newBuilder().setApiVersion(apiVersion).setKind(kind))
                .setRaw(ByteString.copyFrom(raw)).setContentEncoding("").setContentType("")
                .build());
    }

    private static byte[] withUnknown(Runtime.Unknown unknown) {
        byte[] body = unknown.toByteArray();
        byte[] out = new byte[body.length + 4];
        out[0] = 'k';
        out[1] = '8';
        out[2] = 's';
        out[3] = 0;
        System.arraycopy(body, 0, out, 4, body.length);
        return out;
    }

    /** The generated.proto files of every group version served, and meta/v1. */
    private static List<FileDescriptor> servedFiles() {
        List<FileDescriptor> files = new ArrayList<>(List.of(V1Autoscaling.getDescriptor(), Meta.getDescriptor()));
        for (ResourceType type : ResourceTypes.all()) {
            KubernetesProtobuf.protoFile(type.group(), type.version()).filter(f -> !files.contains(f)).ifPresent(files::add);
        }
        for (String body : KubernetesProtobuf.SUBRESOURCE_BODIES) {
            String[] gv = body.substring(0, body.indexOf(' ')).split("/");
            KubernetesProtobuf.protoFile(gv[0], gv[1]).filter(f -> !files.contains(f)).ifPresent(files::add);
        }
        return files;
    }

    private static Descriptor descriptor(String fullName) {
        List<FileDescriptor> files = new ArrayList<>(servedFiles());
        files.add(RuntimeSchema.getDescriptor());
        for (FileDescriptor file : files) {
            if (fullName.startsWith(file.getPackage() + ".")) {
                Descriptor d = file.findMessageTypeByName(fullName.substring(file.getPackage().length() + 1));
                if (d != null) {
                    return d;
                }
            }
        }
        return null;
    }

    private static String difference(String path, JsonNode want, JsonNode got) {
        if (got == null || want.getNodeType() != got.getNodeType()) {
            return path + " (" + want + " vs " + got + ")";
        }
        if (want.isObject()) {
            var names = new java.util.TreeSet<String>();
            want.fieldNames().forEachRemaining(names::add);
            got.fieldNames().forEachRemaining(names::add);
            for (String n : names) {
                if (want.get(n) == null) {
                    return path + "/" + n + " (unexpected " + got.get(n) + ")";
                }
                String d = difference(path + "/" + n, want.get(n), got.get(n));
                if (d != null) {
                    return d;
                }
            }
            return null;
        }
        if (want.isArray()) {
            for (int i = 0; i < Math.max(want.size(), got.size()); i++) {
                if (i >= want.size()) {
                    return path + "/" + i + " (unexpected " + got.get(i) + ")";
                }
                String d = difference(path + "/" + i, want.get(i), got.get(i));
                if (d != null) {
                    return d;
                }
            }
            return null;
        }
        return want.equals(got) ? null : path + " (" + want + " " + want.getClass().getSimpleName() + " vs " + got
                + " " + got.getClass().getSimpleName() + ")";
    }

    static void assertJson(String expected, JsonNode actual) {
        try {
            JsonNode want = KubusJson.json().readTree(expected);
            assertEquals(want, actual, () -> "differs at " + difference("", want, actual) + ": expected " + want
                    + "\n but was " + actual);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }
}
