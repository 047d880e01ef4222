package io.kubus.gateway.patch;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static io.kubus.gateway.patch.PatchTestSupport.assertJson;
import static io.kubus.gateway.patch.PatchTestSupport.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class JsonMergePatchTest {

    /** RFC 7386 Appendix A, row by row: original | patch | result. */
    @ParameterizedTest(name = "{0} + {1} = {2}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        "{'a':'b'}               | {'a':'c'}                     | {'a':'c'}",
        "{'a':'b'}               | {'b':'c'}                     | {'a':'b','b':'c'}",
        "{'a':'b'}               | {'a':null}                    | {}",
        "{'a':'b','b':'c'}       | {'a':null}                    | {'b':'c'}",
        "{'a':['b']}             | {'a':'c'}                     | {'a':'c'}",
        "{'a':'c'}               | {'a':['b']}                   | {'a':['b']}",
        "{'a':{'b':'c'}}         | {'a':{'b':'d','c':null}}      | {'a':{'b':'d'}}",
        "{'a':[{'b':'c'}]}       | {'a':[1]}                     | {'a':[1]}",
        "['a','b']               | ['c','d']                     | ['c','d']",
        "{'a':'b'}               | ['c']                         | ['c']",
        "{'a':'foo'}             | null                          | null",
        "{'a':'foo'}             | 'bar'                         | 'bar'",
        "{'e':null}              | {'a':1}                       | {'e':null,'a':1}",
        "[1,2]                   | {'a':'b','c':null}            | {'a':'b'}",
        "{}                      | {'a':{'bb':{'ccc':null}}}     | {'a':{'bb':{}}}",
    })
    void rfc7386AppendixA(String original, String patch, String result) {
        assertJson(result, JsonMergePatch.apply(json(original), json(patch)));
    }

    @Test
    void rfc7386Section3Example() {
        JsonNode target = json("""
            {'title':'Goodbye!','author':{'givenName':'John','familyName':'Doe'},
             'tags':['example','sample'],'content':'This will be unchanged'}""");
        JsonNode patch = json("""
            {'title':'Hello!','phoneNumber':'+01-123-456-7890','author':{'familyName':null},'tags':['example']}""");
        assertJson("""
            {'title':'Hello!','author':{'givenName':'John'},'tags':['example'],
             'content':'This will be unchanged','phoneNumber':'+01-123-456-7890'}""",
            JsonMergePatch.apply(target, patch));
    }

    @Test
    void doesNotMutateInputs() {
        JsonNode target = json("{'metadata':{'labels':{'a':'1','b':'2'}}}");
        JsonNode patch = json("{'metadata':{'labels':{'a':null,'c':{'d':null}}}}");
        JsonNode targetCopy = target.deepCopy();
        JsonNode patchCopy = patch.deepCopy();
        JsonNode result = JsonMergePatch.apply(target, patch);
        assertJson("{'metadata':{'labels':{'b':'2','c':{}}}}", result);
        assertEquals(targetCopy, target);
        assertEquals(patchCopy, patch);
    }

    @Test
    void missingPatchIsRejected() {
        assertThrows(PatchException.class, () -> JsonMergePatch.apply(json("{}"), null));
    }
}
