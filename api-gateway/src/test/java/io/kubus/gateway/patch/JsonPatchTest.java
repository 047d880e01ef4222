package io.kubus.gateway.patch;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import static io.kubus.gateway.patch.PatchTestSupport.assertJson;
import static io.kubus.gateway.patch.PatchTestSupport.json;
import static io.kubus.gateway.patch.PatchTestSupport.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class JsonPatchTest {

    private static JsonNode patch(String target, String patch) {
        return JsonPatch.apply(json(target), json(patch));
    }

    private static String error(String target, String patch) {
        return assertThrows(PatchException.class, () -> patch(target, patch)).getMessage();
    }

    // RFC 6902 Appendix A

    @Test
    void a1AddingAnObjectMember() {
        assertJson("{'baz':'qux','foo':'bar'}", patch("{'foo':'bar'}", "[{'op':'add','path':'/baz','value':'qux'}]"));
    }

    @Test
    void a2AddingAnArrayElement() {
        assertJson("{'foo':['bar','qux','baz']}",
            patch("{'foo':['bar','baz']}", "[{'op':'add','path':'/foo/1','value':'qux'}]"));
    }

    @Test
    void a3RemovingAnObjectMember() {
        assertJson("{'foo':'bar'}", patch("{'baz':'qux','foo':'bar'}", "[{'op':'remove','path':'/baz'}]"));
    }

    @Test
    void a4RemovingAnArrayElement() {
        assertJson("{'foo':['bar','baz']}", patch("{'foo':['bar','qux','baz']}", "[{'op':'remove','path':'/foo/1'}]"));
    }

    @Test
    void a5ReplacingAValue() {
        assertJson("{'baz':'boo','foo':'bar'}",
            patch("{'baz':'qux','foo':'bar'}", "[{'op':'replace','path':'/baz','value':'boo'}]"));
    }

    @Test
    void a6MovingAValue() {
        assertJson("{'foo':{'bar':'baz'},'qux':{'corge':'grault','thud':'fred'}}",
            patch("{'foo':{'bar':'baz','waldo':'fred'},'qux':{'corge':'grault'}}",
                "[{'op':'move','from':'/foo/waldo','path':'/qux/thud'}]"));
    }

    @Test
    void a7MovingAnArrayElement() {
        assertJson("{'foo':['all','cows','eat','grass']}",
            patch("{'foo':['all','grass','cows','eat']}", "[{'op':'move','from':'/foo/1','path':'/foo/3'}]"));
    }

    @Test
    void a8TestingAValueSuccess() {
        assertJson("{'baz':'qux','foo':['a',2,'c']}", patch("{'baz':'qux','foo':['a',2,'c']}",
            "[{'op':'test','path':'/baz','value':'qux'},{'op':'test','path':'/foo/1','value':2}]"));
    }

    @Test
    void a9TestingAValueError() {
        assertThat(error("{'baz':'qux'}", "[{'op':'test','path':'/baz','value':'bar'}]"))
            .contains("operation 0 (test)").contains("/baz");
    }

    @Test
    void a10AddingANestedMemberObject() {
        assertJson("{'foo':'bar','child':{'grandchild':{}}}",
            patch("{'foo':'bar'}", "[{'op':'add','path':'/child','value':{'grandchild':{}}}]"));
    }

    @Test
    void a11IgnoringUnrecognizedElements() {
        assertJson("{'foo':'bar','baz':'qux'}",
            patch("{'foo':'bar'}", "[{'op':'add','path':'/baz','value':'qux','xyz':123}]"));
    }

    @Test
    void a12AddingToANonexistentTarget() {
        assertThat(error("{'foo':'bar'}", "[{'op':'add','path':'/baz/bat','value':'qux'}]"))
            .contains("/baz/bat").contains("does not exist");
    }

    @Test
    void a14TildeEscapeOrdering() {
        assertJson("{'/':9,'~1':10}", patch("{'/':9,'~1':10}", "[{'op':'test','path':'/~01','value':10}]"));
    }

    @Test
    void a15ComparingStringsAndNumbers() {
        assertThat(error("{'/':9,'~1':10}", "[{'op':'test','path':'/~01','value':'10'}]")).contains("test failed");
    }

    @Test
    void a16AddingAnArrayValue() {
        assertJson("{'foo':['bar',['abc','def']]}",
            patch("{'foo':['bar']}", "[{'op':'add','path':'/foo/-','value':['abc','def']}]"));
    }

    // Beyond the appendix

    @Test
    void slashEscapeAndNumericEquality() {
        assertJson("{'metadata':{'annotations':{'a/b':'x'}},'n':1.0}",
            patch("{'metadata':{'annotations':{}},'n':1}",
                "[{'op':'add','path':'/metadata/annotations/a~1b','value':'x'},"
                    + "{'op':'test','path':'/n','value':1.0},{'op':'replace','path':'/n','value':1.0}]"));
    }

    @Test
    void copyAndRootReplace() {
        assertJson("{'a':[1],'b':[1]}", patch("{'a':[1]}", "[{'op':'copy','from':'/a','path':'/b'}]"));
        assertJson("[1]", patch("{'a':[1]}", "[{'op':'replace','path':'','value':[1]}]"));
    }

    @Test
    void kubectlStyleLabelAndContainerImage() {
        assertJson("{'metadata':{'labels':{'app':'web','tier':'fe'}},'spec':{'containers':[{'name':'c','image':'nginx:2'}]}}",
            patch("{'metadata':{'labels':{'app':'web'}},'spec':{'containers':[{'name':'c','image':'nginx:1'}]}}",
                "[{'op':'add','path':'/metadata/labels/tier','value':'fe'},"
                    + "{'op':'replace','path':'/spec/containers/0/image','value':'nginx:2'}]"));
    }

    @Test
    void failedOperationLeavesTargetUntouched() {
        JsonNode target = json("{'a':1}");
        assertThrows(PatchException.class, () -> JsonPatch.apply(target,
            json("[{'op':'add','path':'/b','value':2},{'op':'remove','path':'/zzz'}]")));
        assertEquals(json("{'a':1}"), target);
    }

    @Test
    void errors() {
        assertThat(error("{}", "{'op':'add','path':'/a','value':1}")).contains("JSON array");
        assertThat(error("{}", "[{'op':'frobnicate','path':'/a'}]")).contains("unknown op \"frobnicate\"");
        assertThat(error("{}", "[{'path':'/a'}]")).contains("\"op\"");
        assertThat(error("{}", "[{'op':'add','path':'/a'}]")).contains("missing the \"value\" member");
        assertThat(error("{}", "[{'op':'replace','path':'/a'}]")).contains("missing the \"value\" member");
        assertThat(error("{}", "[{'op':'test','path':'/a'}]")).contains("missing the \"value\" member");
        assertThat(error("{'a':1}", "[{'op':'move','path':'/b'}]")).contains("missing the \"from\" member");
        assertThat(error("{'a':1}", "[{'op':'copy','path':'/b'}]")).contains("missing the \"from\" member");
        assertThat(error("{'a':1}", "[{'op':'remove'}]")).contains("missing the \"path\" member");
        assertThat(error("{'a':1}", "[{'op':'remove','path':'/b'}]")).contains("/b does not exist");
        assertThat(error("{'a':1}", "[{'op':'replace','path':'/b','value':2}]")).contains("/b does not exist");
        assertThat(error("{'a':1}", "[{'op':'add','path':'a','value':2}]")).contains("JSON Pointer");
        assertThat(error("{'a':1}", "[{'op':'add','path':'/~2','value':2}]")).contains("'~'");
        assertThat(error("{'a':{'b':1}}", "[{'op':'move','from':'/a','path':'/a/b/c'}]")).contains("own child");
    }

    @Test
    void arrayIndexBounds() {
        assertJson("{'a':[1,2,3]}", patch("{'a':[1,2]}", "[{'op':'add','path':'/a/2','value':3}]"));
        assertThat(error("{'a':[1,2]}", "[{'op':'add','path':'/a/3','value':3}]")).contains("out of bounds");
        assertThat(error("{'a':[1,2]}", "[{'op':'add','path':'/a/01','value':3}]")).contains("out of bounds");
        assertThat(error("{'a':[1,2]}", "[{'op':'remove','path':'/a/2'}]")).contains("does not exist");
        assertThat(error("{'a':[1,2]}", "[{'op':'remove','path':'/a/-'}]")).contains("does not exist");
        assertThat(error("{'a':[1,2]}", "[{'op':'replace','path':'/a/-1','value':0}]")).contains("does not exist");
    }
}
