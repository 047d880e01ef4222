package io.kubus.schema.selector;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.PodBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FieldSelectorTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode json(String s) throws Exception {
        return JSON.readTree(s.replace('\'', '"'));
    }

    private static String fails(String s) {
        return assertThrows(SelectorException.class, () -> FieldSelector.parse(s), s).getMessage();
    }

    @ParameterizedTest(name = "[{index}] \"{0}\" -> \"{1}\"")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
            "metadata.name=foo                        | metadata.name=foo",
            "metadata.name==foo                       | metadata.name=foo",
            "status.phase!=Running                    | status.phase!=Running",
            "spec.nodeName=n1,metadata.namespace=ns   | metadata.namespace=ns,spec.nodeName=n1",
            "\" metadata.name = foo , spec.nodeName!= \" | metadata.name=foo,spec.nodeName!=",
            "a=                                       | a=",
            "a!=                                      | a!=",
            "a=b,,c=d,                                | a=b,c=d",
            "a=b\\,c                                  | a=b\\,c",
            "a=b\\=c                                  | a=b\\=c",
            "a=b\\\\c                                 | a=b\\\\c",
            "a=!b                                     | a=!b",
            "a=b c                                    | a=b c",
            "a=b,a=b                                  | a=b",
    })
    void parsesToCanonicalForm(String input, String canonical) {
        FieldSelector s = FieldSelector.parse(input);
        assertEquals(canonical, s.toString());
        assertEquals(s, FieldSelector.parse(s.toString()));
        assertFalse(s.isEverything());
    }

    @Test
    void escapesAreDecoded() {
        FieldSelector s = FieldSelector.parse("a=x\\,y\\=z\\\\");
        assertEquals(List.of(new FieldSelector.Term("a", true, "x,y=z\\")), s.terms());
        assertEquals("x,y=z\\", FieldSelector.unescapeValue(FieldSelector.escapeValue("x,y=z\\")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "  ", ",", " , ,"})
    void emptyMeansEverything(String s) throws Exception {
        FieldSelector f = FieldSelector.parse(s);
        assertTrue(f.isEverything());
        assertTrue(f.matches(json("{}")));
        assertEquals("", f.toString());
        assertEquals(Set.of(), f.fields());
    }

    @Test
    void nullMeansEverything() {
        assertSame(FieldSelector.everything(), FieldSelector.parse(null));
    }

    @ParameterizedTest(name = "[{index}] \"{0}\"")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
            "x                | invalid selector: 'x'; can't understand 'x'",
            "a=b,x            | invalid selector: 'a=b,x'; can't understand 'x'",
            "field,           | invalid selector: 'field,'; can't understand 'field'",
            "=x               | invalid selector: '=x'; can't understand '=x'",
            "\" = x\"           | invalid selector: ' = x'; can't understand '= x'",
            "!=x              | invalid selector: '!=x'; can't understand '!=x'",
            "a<b              | invalid selector: 'a<b'; can't understand 'a<b'",
            "a in (b)         | invalid selector: 'a in (b)'; can't understand 'a in (b)'",
            "a=b=c            | invalid field selector: unescaped character in value: =",
            "a===b            | invalid field selector: unescaped character in value: =",
            "a=b\\            | invalid field selector: invalid escape sequence: \\",
            "a=b\\n           | invalid field selector: invalid escape sequence: \\n",
            "a\\=b=c          | invalid field selector: unescaped character in value: =",
    })
    void junk(String input, String message) {
        assertEquals(message, fails(input));
    }

    @Test
    void fieldsAndExactValue() {
        FieldSelector s = FieldSelector.parse("spec.nodeName=n1,metadata.name==web-0,status.phase!=Failed");
        assertEquals(Set.of("metadata.name", "spec.nodeName", "status.phase"), s.fields());
        assertEquals(List.of("metadata.name", "spec.nodeName", "status.phase"), List.copyOf(s.fields()));
        assertEquals(Optional.of("web-0"), s.exactValue("metadata.name"));
        assertEquals(Optional.of("n1"), s.exactValue("spec.nodeName"));
        assertEquals(Optional.empty(), s.exactValue("status.phase"), "!= is not an exact match");
        assertEquals(Optional.empty(), s.exactValue("metadata.namespace"));
        assertEquals(Optional.of(""), FieldSelector.parse("spec.nodeName=").exactValue("spec.nodeName"));
        assertEquals("metadata.name=a\\,b", FieldSelector.oneTermEquals("metadata.name", "a,b").toString());
    }

    @Test
    void requireSupported() {
        Set<String> pods = Set.of("metadata.name", "metadata.namespace", "spec.nodeName", "status.phase");
        FieldSelector.parse("spec.nodeName=n1,status.phase!=Failed").requireSupported(pods, "pods");
        FieldSelector.everything().requireSupported(Set.of(), "pods");
        SelectorException e = assertThrows(SelectorException.class,
                () -> FieldSelector.parse("spec.nodeName=n1,spec.foo=x,spec.bar=y").requireSupported(pods, "pods"));
        assertEquals("field label not supported: spec.bar", e.getMessage());
    }

    @Test
    void matchesJson() throws Exception {
        JsonNode pod = json("{'metadata':{'name':'web-0','namespace':'default'},"
                + "'spec':{'nodeName':'n1','priority':10,'hostNetwork':true,'containers':[{'name':'c'}]},"
                + "'status':{'phase':'Running'}}");
        assertTrue(FieldSelector.parse("metadata.name=web-0").matches(pod));
        assertTrue(FieldSelector.parse("metadata.name=web-0,spec.nodeName=n1").matches(pod));
        assertFalse(FieldSelector.parse("metadata.name=web-0,spec.nodeName=n2").matches(pod));
        assertTrue(FieldSelector.parse("status.phase!=Failed").matches(pod));
        assertFalse(FieldSelector.parse("status.phase!=Running").matches(pod));
        assertTrue(FieldSelector.parse("spec.priority=10").matches(pod));
        assertTrue(FieldSelector.parse("spec.hostNetwork=true").matches(pod));
        assertFalse(FieldSelector.parse("spec.hostNetwork=false").matches(pod));
        // Missing fields read as "".
        assertTrue(FieldSelector.parse("spec.serviceAccountName=").matches(pod));
        assertTrue(FieldSelector.parse("spec.serviceAccountName!=x").matches(pod));
        assertFalse(FieldSelector.parse("spec.serviceAccountName=x").matches(pod));
        assertTrue(FieldSelector.parse("no.such.deep.path=").matches(pod));
        assertTrue(FieldSelector.parse("metadata.name.x=").matches(pod), "path through a scalar is missing");
        // Containers are not selectable values.
        assertTrue(FieldSelector.parse("spec.containers=").matches(pod));
        assertTrue(FieldSelector.parse("metadata=").matches(pod));
        assertTrue(FieldSelector.parse("spec.nodeName=").matches(json("{'spec':{'nodeName':null}}")));
        assertFalse(FieldSelector.parse("metadata.name=x").matches((JsonNode) null));
        assertTrue(FieldSelector.parse("metadata.name=").matches((JsonNode) null));
    }

    @Test
    void matchesEventInvolvedObject() throws Exception {
        JsonNode event = json("{'involvedObject':{'kind':'Pod','uid':'u-1','name':'web-0'},'reason':'Scheduled'}");
        assertTrue(FieldSelector.parse("involvedObject.uid=u-1,involvedObject.kind=Pod,reason=Scheduled")
                .matches(event));
        assertFalse(FieldSelector.parse("involvedObject.uid=u-2").matches(event));
    }

    @Test
    void matchesFabric8ObjectsViaJackson() {
        var pod = new PodBuilder().withNewMetadata().withName("p").endMetadata()
                .withNewSpec().withNodeName("n9").endSpec().build();
        JsonNode node = JSON.valueToTree(pod);
        assertTrue(FieldSelector.parse("metadata.name=p,spec.nodeName=n9,status.phase=").matches(node));
    }

    @Test
    void matchesFieldSet() {
        Map<String, String> fields = new HashMap<>(Map.of("metadata.name", "a"));
        fields.put("spec.nodeName", null);
        assertTrue(FieldSelector.parse("metadata.name=a,spec.nodeName=").matches(fields));
        assertFalse(FieldSelector.parse("metadata.name!=a").matches(fields));
        assertTrue(FieldSelector.parse("x=").matches((Map<String, String>) null));
    }

    @Test
    void equalityAndTerms() {
        assertEquals(FieldSelector.parse("b=2,a=1"), FieldSelector.parse(" a == 1 , b=2"));
        assertEquals(FieldSelector.parse("b=2,a=1").hashCode(), FieldSelector.parse("a=1,b=2").hashCode());
        assertNotEquals(FieldSelector.parse("a=1"), FieldSelector.parse("a!=1"));
        assertThrows(NullPointerException.class, () -> new FieldSelector.Term(null, true, "x"));
        assertTrue(FieldSelector.of(List.of()).isEverything());
        assertThrows(UnsupportedOperationException.class,
                () -> FieldSelector.parse("a=1").terms().add(new FieldSelector.Term("b", true, "")));
    }
}
