package io.kubus.gateway.apiextensions;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubus.schema.validation.ErrorList;
import org.junit.jupiter.api.Test;

import java.io.UncheckedIOException;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CustomResourceDefinitionValidationTest {
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_SINGLE_QUOTES)
            .enable(JsonReadFeature.ALLOW_UNQUOTED_FIELD_NAMES)
            .build();
    /** Kube's %#v of the base CRD's version list after the v1 conversion hoisted its schema, subresources, columns. */
    private static final String GO_V1 = "apiextensions.CustomResourceDefinitionVersion{Name:\"v1\", Served:true, "
            + "Storage:true, Deprecated:false, DeprecationWarning:(*string)(nil), "
            + "Schema:(*apiextensions.CustomResourceValidation)(nil), "
            + "Subresources:(*apiextensions.CustomResourceSubresources)(nil), "
            + "AdditionalPrinterColumns:[]apiextensions.CustomResourceColumnDefinition(nil), "
            + "SelectableFields:[]apiextensions.SelectableField(nil)}";

    private static ObjectNode json(String text) {
        try {
            return (ObjectNode) JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A valid CRD as the strategy hands it over: v1 defaults applied, storedVersions set as on create. */
    private static ObjectNode crd() {
        return json("""
                {apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition',
                 metadata: {name: 'widgets.example.com'},
                 spec: {group: 'example.com', scope: 'Namespaced',
                   names: {plural: 'widgets', singular: 'widget', kind: 'Widget', listKind: 'WidgetList',
                           shortNames: ['wd'], categories: ['all']},
                   versions: [{name: 'v1', served: true, storage: true,
                     schema: {openAPIV3Schema: {type: 'object', properties: {
                       spec: {type: 'object', properties: {replicas: {type: 'integer', default: 1}}},
                       status: {type: 'object', properties: {replicas: {type: 'integer'}, selector: {type: 'string'}}}}}},
                     subresources: {status: {}, scale: {specReplicasPath: '.spec.replicas',
                       statusReplicasPath: '.status.replicas', labelSelectorPath: '.status.selector'}},
                     additionalPrinterColumns: [{name: 'Replicas', type: 'integer', format: 'int32',
                       jsonPath: '.spec.replicas'}]}],
                   conversion: {strategy: 'None'}},
                 status: {storedVersions: ['v1']}}
                """);
    }

    /** The base CRD with a second, served, non-storage version v2 whose schema differs, so nothing is hoisted. */
    private static ObjectNode twoVersions() {
        ObjectNode crd = crd();
        ObjectNode v2 = version(crd, 0).deepCopy();
        v2.put("name", "v2").put("storage", false);
        ((ObjectNode) v2.at("/schema/openAPIV3Schema/properties/spec/properties")).putObject("size").put("type", "string");
        v2.remove("subresources");
        v2.remove("additionalPrinterColumns");
        versions(crd).add(v2);
        return crd;
    }

    private static ArrayNode versions(ObjectNode crd) {
        return (ArrayNode) crd.at("/spec/versions");
    }

    private static ObjectNode version(ObjectNode crd, int i) {
        return (ObjectNode) versions(crd).get(i);
    }

    private static ObjectNode at(ObjectNode crd, String pointer) {
        return (ObjectNode) crd.at(pointer);
    }

    private static List<String> validate(ObjectNode crd) {
        ErrorList errs = new ErrorList();
        CustomResourceDefinitionValidation.validate(crd, errs);
        return lines(errs);
    }

    private static List<String> validateUpdate(ObjectNode crd, ObjectNode old) {
        ErrorList errs = new ErrorList();
        CustomResourceDefinitionValidation.validateUpdate(crd, old, errs);
        return lines(errs);
    }

    private static List<String> lines(ErrorList errs) {
        return errs.problems().stream().map(p -> p.field() + ": " + p.message()).toList();
    }

    @Test
    void validCrdsPass() {
        assertThat(validate(crd())).isEmpty();
        assertThat(validate(twoVersions())).isEmpty();
    }

    @Test
    void theNameIsPluralDotGroup() {
        ObjectNode crd = crd();
        at(crd, "/metadata").put("name", "widget.example.com");
        assertThat(validate(crd)).containsExactly(
                "metadata.name: Invalid value: \"widget.example.com\": must be spec.names.plural+\".\"+spec.group");
    }

    @Test
    void theGroupIsADomainWithADot() {
        ObjectNode crd = crd();
        at(crd, "/metadata").put("name", "widgets.example");
        at(crd, "/spec").put("group", "example");
        assertThat(validate(crd)).containsExactly(
                "spec.group: Invalid value: \"example\": should be a domain with at least one dot");

        at(crd, "/metadata").put("name", "widgets.Example.com");
        at(crd, "/spec").put("group", "Example.com");
        assertThat(validate(crd)).singleElement().asString().startsWith(
                "spec.group: Invalid value: \"Example.com\": a lowercase RFC 1123 subdomain must consist of");

        at(crd, "/metadata").put("name", "widgets.");
        at(crd, "/spec").remove("group");
        assertThat(validate(crd)).containsExactly("spec.group: Required value");
    }

    @Test
    void theScopeIsNamespacedOrCluster() {
        ObjectNode crd = crd();
        at(crd, "/spec").put("scope", "Global");
        assertThat(validate(crd)).containsExactly(
                "spec.scope: Unsupported value: \"Global\": supported values: \"Cluster\", \"Namespaced\"");
        at(crd, "/spec").remove("scope");
        assertThat(validate(crd)).containsExactly("spec.scope: Required value");
    }

    @Test
    void namesAreRequiredInTheSpec() {
        ObjectNode crd = crd();
        at(crd, "/metadata").put("name", ".example.com");
        at(crd, "/spec").putObject("names");
        assertThat(validate(crd)).containsExactly(
                "spec.names.plural: Required value",
                "spec.names.singular: Required value",
                "spec.names.kind: Required value",
                "spec.names.listKind: Required value");
    }

    @Test
    void namesAreLowercaseLabelsAndKindsMayHaveMixedCase() {
        ObjectNode crd = crd();
        ObjectNode names = at(crd, "/spec/names");
        names.put("singular", "Widget").put("kind", "Wid_get").put("listKind", "Wid_get");
        names.putArray("shortNames").add("wd").add("1wd");
        names.putArray("categories").add("all").add("my.things");
        String label = "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an "
                + "alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', "
                + "regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";
        assertThat(validate(crd)).containsExactly(
                "spec.names.singular: Invalid value: \"Widget\": " + label,
                "spec.names.kind: Invalid value: \"Wid_get\": may have mixed case, but should otherwise match: " + label,
                "spec.names.listKind: Invalid value: \"Wid_get\": may have mixed case, but should otherwise match: "
                        + label,
                "spec.names.shortNames[1]: Invalid value: \"1wd\": " + label,
                "spec.names.listKind: Invalid value: \"Wid_get\": kind and listKind may not be the same",
                "spec.names.categories[1]: Invalid value: \"my.things\": " + label);
    }

    @Test
    void exactlyOneVersionIsTheStorageVersion() {
        ObjectNode crd = crd();
        version(crd, 0).put("storage", false);
        assertThat(validate(crd)).containsExactly(
                "spec.versions: Invalid value: []apiextensions.CustomResourceDefinitionVersion{"
                        + GO_V1.replace("Storage:true", "Storage:false")
                        + "}: must have exactly one version marked as storage version");

        crd = twoVersions();
        version(crd, 1).put("storage", true);
        at(crd, "/status").putArray("storedVersions").add("v1").add("v2");
        assertThat(validate(crd)).singleElement().asString()
                .startsWith("spec.versions: Invalid value: []apiextensions.CustomResourceDefinitionVersion{")
                .endsWith(": must have exactly one version marked as storage version");
    }

    @Test
    void aCrdWithoutVersionsHasNoStorageVersion() {
        ObjectNode crd = crd();
        at(crd, "/spec").remove("versions");
        at(crd, "/status").putArray("storedVersions");
        assertThat(validate(crd)).containsExactly(
                "spec.versions: Invalid value: []apiextensions.CustomResourceDefinitionVersion(nil): "
                        + "must have exactly one version marked as storage version",
                "status.storedVersions: Invalid value: []string{}: must have at least one stored version");
    }

    @Test
    void versionNamesAreUniqueLabels() {
        ObjectNode crd = twoVersions();
        version(crd, 1).put("name", "v1");
        assertThat(validate(crd)).singleElement().asString()
                .startsWith("spec.versions: Invalid value: []apiextensions.CustomResourceDefinitionVersion{")
                .contains("Schema:(*apiextensions.CustomResourceValidation)(0xc000000000)")
                .endsWith(": must contain unique version names");

        crd = crd();
        version(crd, 0).put("name", "V1");
        at(crd, "/status").putArray("storedVersions").add("V1");
        String label = "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an "
                + "alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', "
                + "regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";
        // the v1 conversion copies the first version's name to the internal spec.version, which kube checks too
        assertThat(validate(crd)).containsExactly(
                "spec.versions[0].name: Invalid value: \"V1\": " + label,
                "spec.version: Invalid value: \"V1\": " + label);
    }

    @Test
    void everyVersionNeedsASchema() {
        ObjectNode crd = twoVersions();
        version(crd, 1).remove("schema");
        assertThat(validate(crd)).containsExactly(
                "spec.versions[1].schema.openAPIV3Schema: Required value: schemas are required");
        crd = crd();
        version(crd, 0).putObject("schema");
        assertThat(validate(crd)).containsExactly(
                "spec.versions[0].schema.openAPIV3Schema: Required value: schemas are required");
    }

    @Test
    void aSchemaSharedByAllVersionsIsReportedAtTheTopLevelAsKubeConvertsIt() {
        ObjectNode crd = crd();
        at(crd, "/spec/versions/0/schema/openAPIV3Schema/properties/spec").remove("type");
        assertThat(validate(crd)).containsExactly("spec.validation.openAPIV3Schema.properties[spec].type: "
                + "Required value: must not be empty for specified object fields");
    }

    @Test
    void aSchemaOfOneVersionIsReportedInThatVersion() {
        ObjectNode crd = twoVersions();
        at(crd, "/spec/versions/1/schema/openAPIV3Schema/properties/spec").remove("type");
        assertThat(validate(crd)).containsExactly("spec.versions[1].schema.openAPIV3Schema.properties[spec].type: "
                + "Required value: must not be empty for specified object fields");
    }

    @Test
    void withTheStatusSubresourceTheRootIsAnObject() {
        ObjectNode crd = crd();
        at(crd, "/spec/versions/0/schema/openAPIV3Schema").put("type", "array")
                .putObject("items").put("type", "string");
        assertThat(validate(crd)).containsExactly(
                "spec.validation.openAPIV3Schema.type: Invalid value: \"array\": only \"object\" is allowed as the "
                        + "type at the root of the schema if the status subresource is enabled",
                "spec.validation.openAPIV3Schema.type: Invalid value: \"array\": must be object at the root");
    }

    @Test
    void withTheStatusSubresourceOnlySomeKeywordsAreAllowedAtTheRoot() {
        ObjectNode crd = crd();
        // Go's zero values are not set fields to kube's reflection loop
        at(crd, "/spec/versions/0/schema/openAPIV3Schema").put("nullable", false).put("title", "");
        assertThat(validate(crd)).isEmpty();
        at(crd, "/spec/versions/0/schema/openAPIV3Schema").put("minProperties", 1);
        assertThat(validate(crd)).singleElement().asString()
                .startsWith("spec.validation.openAPIV3Schema: Invalid value: ")
                .endsWith(": only [Description Type Format Title Maximum ExclusiveMaximum Minimum ExclusiveMinimum "
                        + "MaxLength MinLength Pattern MaxItems MinItems UniqueItems MultipleOf Required Items Properties "
                        + "ExternalDocs Example XPreserveUnknownFields XValidations] fields are allowed at the root of "
                        + "the schema if the status subresource is enabled");
        version(crd, 0).with("subresources").remove("status");
        assertThat(validate(crd)).isEmpty();
    }

    @Test
    void preserveUnknownFieldsCannotBeSet() {
        ObjectNode crd = crd();
        at(crd, "/spec").put("preserveUnknownFields", true);
        assertThat(validate(crd)).containsExactly(
                "spec.preserveUnknownFields: Invalid value: true: must be false in order to use defaults in the schema",
                "spec.preserveUnknownFields: Invalid value: true: cannot set to true, set "
                        + "x-kubernetes-preserve-unknown-fields to true in spec.versions[*].schema instead");
        at(crd, "/spec/conversion").put("strategy", "Webhook");
        assertThat(validate(crd)).contains("spec.conversion.strategy: Invalid value: \"Webhook\": "
                + "must be None if spec.preserveUnknownFields is true");
    }

    @Test
    void scalePathsAreJsonPathsUnderSpecAndStatus() {
        ObjectNode crd = crd();
        ObjectNode scale = at(crd, "/spec/versions/0/subresources/scale");
        scale.put("specReplicasPath", ".status.replicas").put("statusReplicasPath", "status.replicas")
                .put("labelSelectorPath", ".metadata.labels");
        assertThat(validate(crd)).containsExactly(
                "spec.subresources.scale.specReplicasPath: Invalid value: \".status.replicas\": should be a json path "
                        + "under .spec",
                "spec.subresources.scale.statusReplicasPath: Invalid value: \"status.replicas\": must be a simple json "
                        + "path starting with .",
                "spec.subresources.scale.labelSelectorPath: Invalid value: \".metadata.labels\": should be a json path "
                        + "under either .spec or .status");
        scale.remove(List.of("specReplicasPath", "statusReplicasPath", "labelSelectorPath"));
        assertThat(validate(crd)).containsExactly(
                "spec.subresources.scale.specReplicasPath: Required value",
                "spec.subresources.scale.statusReplicasPath: Required value");
    }

    @Test
    void perVersionSubresourcesAreReportedInTheirVersion() {
        ObjectNode crd = twoVersions();
        at(crd, "/spec/versions/0/subresources/scale").put("specReplicasPath", "spec.replicas");
        assertThat(validate(crd)).containsExactly("spec.versions[0].subresources.scale.specReplicasPath: "
                + "Invalid value: \"spec.replicas\": must be a simple json path starting with .");
    }

    @Test
    void printerColumnsHaveANameATypeAFormatAndAPath() {
        ObjectNode crd = crd();
        ArrayNode columns = version(crd, 0).putArray("additionalPrinterColumns");
        columns.addObject().put("type", "float").put("format", "uint8").put("jsonPath", "spec.size");
        columns.addObject().put("name", "Age");
        assertThat(validate(crd)).containsExactly(
                "spec.additionalPrinterColumns[0].name: Required value",
                "spec.additionalPrinterColumns[0].type: Invalid value: \"float\": must be one of "
                        + "boolean,date,integer,number,string",
                "spec.additionalPrinterColumns[0].format: Invalid value: \"uint8\": must be one of "
                        + "byte,date,date-time,double,float,int32,int64,password",
                "spec.additionalPrinterColumns[0].JSONPath: Invalid value: \"spec.size\": must be a simple json path "
                        + "starting with .",
                "spec.additionalPrinterColumns[1].type: Required value: must be one of boolean,date,integer,number,string",
                "spec.additionalPrinterColumns[1].JSONPath: Required value");
    }

    @Test
    void perVersionColumnsAreReportedInTheirVersion() {
        ObjectNode crd = twoVersions();
        at(crd, "/spec/versions/0/additionalPrinterColumns/0").put("type", "text");
        assertThat(validate(crd)).containsExactly("spec.versions[0].additionalPrinterColumns[0].type: "
                + "Invalid value: \"text\": must be one of boolean,date,integer,number,string");
    }

    @Test
    void selectableFieldsNameScalarFieldsOutsideMetadataOnce() {
        ObjectNode crd = crd();
        at(crd, "/spec/versions/0/schema/openAPIV3Schema/properties/spec/properties").putObject("labels")
                .put("type", "object").putObject("additionalProperties").put("type", "string");
        ArrayNode fields = version(crd, 0).putArray("selectableFields");
        fields.addObject().put("jsonPath", ".spec.replicas");
        fields.addObject().put("jsonPath", ".spec.labels.team");
        fields.addObject().put("jsonPath", ".spec.size");
        fields.addObject().put("jsonPath", ".spec");
        fields.addObject().put("jsonPath", ".metadata.name");
        fields.addObject().put("jsonPath", ".spec['replicas']");
        fields.addObject().put("jsonPath", "spec.replicas");
        fields.addObject();
        fields.addObject().put("jsonPath", ".spec.replicas");
        assertThat(validate(crd)).containsExactly(
                "spec.selectableFields[2].jsonPath: Invalid value: \".spec.size\": is an invalid path: does not refer "
                        + "to a valid field",
                "spec.selectableFields[3].jsonPath: Invalid value: \".spec\": must point to a field of type string, "
                        + "boolean or integer. Enum string fields and strings with formats are allowed.",
                "spec.selectableFields[4].jsonPath: Invalid value: \".metadata.name\": is an invalid path: does not "
                        + "refer to a valid field",
                "spec.selectableFields[5].jsonPath: Invalid value: \".spec['replicas']\": is an invalid path: array "
                        + "notation is not allowed",
                "spec.selectableFields[6].jsonPath: Invalid value: \"spec.replicas\": is an invalid path: expected [ or "
                        + ". but got: spec",
                "spec.selectableFields[7].jsonPath: Required value",
                "spec.selectableFields[8].jsonPath: Duplicate value: \".spec.replicas\"");
    }

    @Test
    void selectableFieldsInMetadataAreRefusedAndEightAreTheMost() {
        ObjectNode crd = crd();
        ObjectNode props = at(crd, "/spec/versions/0/schema/openAPIV3Schema/properties");
        props.putObject("metadata").put("type", "object").putObject("properties").putObject("name").put("type", "string");
        ObjectNode spec = at(crd, "/spec/versions/0/schema/openAPIV3Schema/properties/spec/properties");
        ArrayNode fields = version(crd, 0).putArray("selectableFields");
        fields.addObject().put("jsonPath", ".metadata.name");
        assertThat(validate(crd)).containsExactly("spec.selectableFields[0].jsonPath: Invalid value: "
                + "\".metadata.name\": must not point to fields in metadata");
        fields.removeAll();
        for (int i = 0; i < 9; i++) {
            spec.putObject("f" + i).put("type", "boolean");
            fields.addObject().put("jsonPath", ".spec.f" + i);
        }
        assertThat(validate(crd)).containsExactly("spec.selectableFields: Too many: 9: must have at most 8 items");
    }

    @Test
    void perVersionSelectableFieldsNeedTheirVersionsOwnSchema() {
        ObjectNode crd = twoVersions();
        version(crd, 1).putArray("selectableFields").addObject().put("jsonPath", ".spec.size");
        assertThat(validate(crd)).isEmpty();
        version(crd, 0).putArray("selectableFields").addObject().put("jsonPath", ".spec.size");
        version(crd, 1).putArray("selectableFields").addObject().put("jsonPath", ".spec.replicas");
        assertThat(validate(crd)).containsExactly("spec.versions[0].selectableFields[0].jsonPath: Invalid value: "
                + "\".spec.size\": is an invalid path: does not refer to a valid field");

        // one schema for both versions is hoisted by the conversion, leaving per-version fields without a schema
        crd = crd();
        ObjectNode v2 = version(crd, 0).deepCopy().put("name", "v2").put("storage", false);
        versions(crd).add(v2);
        v2.putArray("selectableFields").addObject().put("jsonPath", ".spec.replicas");
        assertThat(validate(crd)).containsExactly("spec.versions[1].selectableFields: Invalid value: \"\": "
                + "selectableFields may only be set when version.schema.openAPIV3Schema is not included");
    }

    @Test
    void theConversionStrategyIsNoneOrWebhook() {
        ObjectNode crd = crd();
        at(crd, "/spec/conversion").put("strategy", "Magic");
        assertThat(validate(crd)).containsExactly(
                "spec.conversion.strategy: Unsupported value: \"Magic\": supported values: \"None\", \"Webhook\"");
        at(crd, "/spec/conversion").remove("strategy");
        assertThat(validate(crd)).containsExactly("spec.conversion.strategy: Required value");
    }

    @Test
    void kubusRefusesWebhookConversionAndStillChecksTheWebhook() {
        ObjectNode crd = crd();
        at(crd, "/spec/conversion").put("strategy", "Webhook");
        assertThat(validate(crd)).containsExactly(
                "spec.conversion.strategy: Invalid value: \"Webhook\": Kubus does not call conversion webhooks: every "
                        + "version is served with the None strategy, so use None (with one schema all versions can share)",
                "spec.conversion.webhookClientConfig: Required value: required when strategy is set to Webhook",
                "spec.conversion.conversionReviewVersions: Required value");

        at(crd, "/spec/conversion").putObject("webhook").put("conversionReviewVersions", "x")
                .putArray("conversionReviewVersions").add("v2").add("v2");
        at(crd, "/spec/conversion/webhook").putObject("clientConfig");
        assertThat(validate(crd)).containsExactly(
                "spec.conversion.strategy: Invalid value: \"Webhook\": Kubus does not call conversion webhooks: every "
                        + "version is served with the None strategy, so use None (with one schema all versions can share)",
                "spec.conversion.webhookClientConfig: Required value: exactly one of url or service is required",
                "spec.conversion.conversionReviewVersions[1]: Invalid value: \"v2\": duplicate version",
                "spec.conversion.conversionReviewVersions: Invalid value: []string{\"v2\", \"v2\"}: must include at "
                        + "least one of v1, v1beta1");
    }

    @Test
    void aWebhookUrlIsAPlainHttpsUrl() {
        ObjectNode crd = crd();
        at(crd, "/spec/conversion").put("strategy", "Webhook").putObject("webhook")
                .putArray("conversionReviewVersions").add("v1");
        ObjectNode config = at(crd, "/spec/conversion/webhook").putObject("clientConfig");
        config.put("url", "http://user@example.com/convert?x=1#top");
        List<String> problems = validate(crd);
        assertEquals(List.of(
                "spec.conversion.webhookClientConfig.url: Invalid value: \"http\": 'https' is the only allowed URL "
                        + "scheme; desired format: https://host[/path]",
                "spec.conversion.webhookClientConfig.url: Invalid value: \"user\": user information is not permitted "
                        + "in the URL",
                "spec.conversion.webhookClientConfig.url: Invalid value: \"top\": fragments are not permitted in the URL",
                "spec.conversion.webhookClientConfig.url: Invalid value: \"x=1\": query parameters are not permitted in "
                        + "the URL"), problems.subList(1, problems.size()));
        config.put("url", "example.com/convert");
        assertEquals(List.of(
                "spec.conversion.webhookClientConfig.url: Invalid value: \"\": 'https' is the only allowed URL "
                        + "scheme; desired format: https://host[/path]",
                "spec.conversion.webhookClientConfig.url: Invalid value: \"\": host must be specified; desired format: "
                        + "https://host[/path]"), validate(crd).subList(1, 3));
    }

    @Test
    void aWebhookServiceHasANameANamespaceAPortAndACleanPath() {
        ObjectNode crd = crd();
        at(crd, "/spec/conversion").put("strategy", "Webhook").putObject("webhook")
                .putArray("conversionReviewVersions").add("v1");
        at(crd, "/spec/conversion/webhook").putObject("clientConfig").putObject("service")
                .put("port", 0).put("path", "/convert//Crd/");
        List<String> problems = validate(crd);
        assertEquals(List.of(
                "spec.conversion.webhookClientConfig.service.name: Required value: service name is required",
                "spec.conversion.webhookClientConfig.service.namespace: Required value: service namespace is required",
                "spec.conversion.webhookClientConfig.service.port: Invalid value: 0: port is not valid: must be between "
                        + "1 and 65535, inclusive",
                "spec.conversion.webhookClientConfig.service.path: Invalid value: \"/convert//Crd/\": segment[1] may "
                        + "not be empty"), problems.subList(1, 5));
        assertThat(List.of(problems.get(5))).singleElement().asString().startsWith(
                "spec.conversion.webhookClientConfig.service.path: Invalid value: \"/convert//Crd/\": segment[2]: "
                        + "a lowercase RFC 1123 subdomain");
        assertEquals(6, problems.size());
    }

    @Test
    void webhookSettingsAreForbiddenWithoutTheWebhookStrategy() {
        ObjectNode crd = crd();
        ObjectNode webhook = at(crd, "/spec/conversion").putObject("webhook");
        webhook.putObject("clientConfig").put("url", "https://example.com/convert");
        webhook.putArray("conversionReviewVersions").add("v1");
        assertThat(validate(crd)).containsExactly(
                "spec.conversion.webhookClientConfig: Forbidden: should not be set when strategy is not set to Webhook",
                "spec.conversion.conversionReviewVersions: Forbidden: should not be set when strategy is not set to "
                        + "Webhook");
    }

    @Test
    void aDeprecationWarningNeedsADeprecatedVersion() {
        ObjectNode crd = crd();
        version(crd, 0).put("deprecationWarning", "going away");
        assertThat(validate(crd)).containsExactly(
                "spec.versions[0].deprecationWarning: Invalid value: \"going away\": can only be set for deprecated "
                        + "versions");
        version(crd, 0).put("deprecated", true).put("deprecationWarning", "going\taway");
        assertThat(validate(crd)).containsExactly(
                "spec.versions[0].deprecationWarning: Invalid value: \"going\\taway\": must only contain printable "
                        + "UTF-8 characters; non-printable character found at index 5");
        version(crd, 0).put("deprecationWarning", "");
        assertThat(validate(crd)).containsExactly(
                "spec.versions[0].deprecationWarning: Invalid value: \"\": must not be an empty string");
    }

    @Test
    void storedVersionsIncludeTheStorageVersionAndNameOnlyKnownVersions() {
        ObjectNode crd = twoVersions();
        at(crd, "/status").putArray("storedVersions").add("v2").add("v0");
        assertThat(validate(crd)).containsExactly(
                "status.storedVersions: Invalid value: []string{\"v2\", \"v0\"}: must have the storage version v1",
                "status.storedVersions[1]: Invalid value: \"v0\": must appear in spec.versions");
        ((ObjectNode) crd).remove("status");
        assertThat(validate(crd)).containsExactly(
                "status.storedVersions: Invalid value: []string(nil): must have at least one stored version");
    }

    @Test
    void kubernetesGroupsNeedTheApprovalAnnotation() {
        ObjectNode crd = crd();
        at(crd, "/metadata").put("name", "widgets.x.k8s.io");
        at(crd, "/spec").put("group", "x.k8s.io");
        assertThat(validate(crd)).containsExactly(
                "metadata.annotations[api-approved.kubernetes.io]: Required value: protected groups must have approval "
                        + "annotation \"api-approved.kubernetes.io\", see https://github.com/kubernetes/enhancements/pull/1111");
        ObjectNode annotations = at(crd, "/metadata").putObject("annotations");
        annotations.put("api-approved.kubernetes.io", "yes");
        assertThat(validate(crd)).containsExactly(
                "metadata.annotations[api-approved.kubernetes.io]: Invalid value: \"yes\": protected groups must have "
                        + "approval annotation \"api-approved.kubernetes.io\" with either a URL or a reason starting "
                        + "with \"unapproved\", see https://github.com/kubernetes/enhancements/pull/1111");
        annotations.put("api-approved.kubernetes.io", "https://github.com/kubernetes/kubernetes/pull/1");
        assertThat(validate(crd)).isEmpty();
        annotations.put("api-approved.kubernetes.io", "unapproved, experimental");
        assertThat(validate(crd)).isEmpty();
    }

    @Test
    void groupAndPluralNeverChange() {
        ObjectNode old = crd();
        ObjectNode crd = crd();
        at(crd, "/spec").put("group", "example.org");
        at(crd, "/spec/names").put("plural", "gadgets");
        assertThat(validateUpdate(crd, old)).containsExactly(
                "spec.group: Invalid value: \"example.org\": field is immutable",
                "spec.names.plural: Invalid value: \"gadgets\": field is immutable");
    }

    @Test
    void scopeAndKindChangeOnlyUntilTheCrdIsEstablished() {
        ObjectNode old = crd();
        ObjectNode crd = crd();
        at(crd, "/spec").put("scope", "Cluster");
        at(crd, "/spec/names").put("kind", "Gadget");
        assertThat(validateUpdate(crd, old)).isEmpty();
        at(old, "/status").putArray("conditions").addObject().put("type", "Established").put("status", "True");
        assertThat(validateUpdate(crd, old)).containsExactly(
                "spec.scope: Invalid value: \"Cluster\": field is immutable",
                "spec.names.kind: Invalid value: \"Gadget\": field is immutable");
    }

    @Test
    void acceptedNamesFollowTheNameRules() {
        ObjectNode crd = crd();
        at(crd, "/status").putObject("acceptedNames").put("plural", "Widgets").put("kind", "Widget");
        ErrorList errs = new ErrorList();
        CustomResourceDefinitionValidation.validateStatus(crd, errs);
        assertThat(lines(errs)).singleElement().asString()
                .startsWith("status.acceptedNames.plural: Invalid value: \"Widgets\": a DNS-1035 label");
    }

    @Test
    void celRulesAreCompiledPerVersion() {
        ObjectNode crd = crd();
        at(crd, "/spec/versions/0/schema/openAPIV3Schema/properties/spec").putArray("x-kubernetes-validations")
                .addObject().put("rule", "self.replicas");
        assertThat(validate(crd)).singleElement().asString().startsWith(
                "spec.validation.openAPIV3Schema.properties[spec].x-kubernetes-validations[0].rule: Invalid value: ");
    }

    /** The few list assertions these tests need, over JUnit's. */
    private static Lines assertThat(List<String> actual) {
        return new Lines(actual);
    }

    private record Lines(List<String> actual) {
        void containsExactly(String... expected) {
            assertEquals(List.of(expected), actual);
        }

        void contains(String expected) {
            assertTrue(actual.contains(expected), () -> expected + " not in " + actual);
        }

        void isEmpty() {
            assertEquals(List.of(), actual);
        }

        Line singleElement() {
            assertEquals(1, actual.size(), () -> "not one problem: " + actual);
            return new Line(actual.getFirst());
        }
    }

    private record Line(String actual) {
        Line asString() {
            return this;
        }

        Line startsWith(String prefix) {
            assertTrue(actual.startsWith(prefix), () -> actual + "\ndoes not start with\n" + prefix);
            return this;
        }

        Line contains(String part) {
            assertTrue(actual.contains(part), () -> actual + "\ndoes not contain\n" + part);
            return this;
        }

        Line endsWith(String suffix) {
            assertTrue(actual.endsWith(suffix), () -> actual + "\ndoes not end with\n" + suffix);
            return this;
        }
    }
}
