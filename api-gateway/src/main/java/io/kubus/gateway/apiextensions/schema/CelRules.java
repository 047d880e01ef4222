package io.kubus.gateway.apiextensions.schema;

import com.google.common.collect.ImmutableCollection;
import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSet;
import dev.cel.bundle.Cel;
import dev.cel.bundle.CelFactory;
import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelOptions;
import dev.cel.common.CelValidationException;
import dev.cel.common.CelValidationResult;
import dev.cel.common.types.CelType;
import dev.cel.common.types.CelTypeProvider;
import dev.cel.common.types.ListType;
import dev.cel.common.types.MapType;
import dev.cel.common.types.OptionalType;
import dev.cel.common.types.SimpleType;
import dev.cel.common.types.StructType;
import dev.cel.extensions.CelExtensions;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import io.micronaut.core.annotation.Nullable;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The x-kubernetes-validations of one schema node compiled with cel-java, as apiextensions' cel.Compile does:
 * {@code self} (and {@code oldSelf}) typed from the node's schema (objects with properties as structs with those
 * fields, additionalProperties as maps, arrays as lists, int-or-string and preserve-unknown-fields as dyn; the resource
 * root also gets apiVersion, kind and metadata.name/generateName), each rule compiled to bool and its
 * messageExpression to string.
 *
 * <p>The environment is standard CEL (has, all, exists, exists_one, map, filter, size, matches, ...) plus cel-java's
 * strings, lists, sets, math, regex and optional extensions. Not available from cel-java: Kubernetes' own libraries (url,
 * quantity, ip/cidr, semver, format, authz, the k8s regex functions {@code find}/{@code findAll}, list functions
 * such as {@code isSorted}), the date/date-time/duration/byte formats typed as timestamp/duration/bytes (they stay
 * strings here), and a cost estimator: {@link CelCost} makes kube's static estimate at CRD validation, while
 * evaluation is bounded by comprehension iterations instead of kube's runtime cost (see {@link #MAX_ITERATIONS}),
 * and there is no total runtime budget per object.
 */
final class CelRules {
    static final String SELF = "self";
    static final String OLD_SELF = "oldSelf";
    /**
     * The per-call bound in place of kube's runtime cost limit (celconfig.PerCallLimit, 1,000,000 cost units, about
     * one unit per element a comprehension visits): cel-java stops a call whose comprehensions iterate more often.
     */
    static final int MAX_ITERATIONS = 1_000_000;

    private static final CelOptions OPTIONS = CelOptions.current()
            .comprehensionMaxIterations(MAX_ITERATIONS)
            .enableHeterogeneousNumericComparisons(true) // kube's cel-go compares int and double as numbers
            .enableOptionalSyntax(true) // kube's environment has optional types: self.?field, oldSelf.hasValue()
            .build();

    /**
     * One rule as compiled: its program, or why it has none (an empty rule has neither); {@code fieldPath} is the
     * rule's fieldPath as field.Path prints it (null without one); {@code ast} and {@code messageAst} are the checked
     * expressions, kept for {@link CelCost}'s estimate.
     */
    record Compiled(ValidationRule rule, @Nullable CelRuntime.Program program, @Nullable CelRuntime.Program message,
                    boolean usesOldSelf, @Nullable String error, @Nullable String messageError,
                    @Nullable String fieldPath, @Nullable CelAbstractSyntaxTree ast,
                    @Nullable CelAbstractSyntaxTree messageAst) {
    }

    private CelRules() {
    }

    /** The node's rules compiled; {@code resourceRoot} when the node is a custom resource's whole object. */
    static List<Compiled> compile(StructuralSchema s, boolean resourceRoot) {
        if (s.validations.isEmpty()) {
            return List.of();
        }
        Types types = new Types();
        CelType self = types.of(s, resourceRoot);
        Cel plain = environment(types, self, self);
        // optionalOldSelf rules (kube's ratcheting) see oldSelf as optional: none on create or without an old value
        Cel optional = environment(types, self, OptionalType.create(self));
        List<Compiled> out = new ArrayList<>();
        for (ValidationRule r : s.validations) {
            out.add(compile(Boolean.TRUE.equals(r.optionalOldSelf()) ? optional : plain, r,
                    r.fieldPath().isEmpty() ? null : validFieldPath(r.fieldPath(), s)));
        }
        return out;
    }

    private static Cel environment(Types types, CelType self, CelType oldSelf) {
        return CelFactory.standardCelBuilder()
                .setOptions(OPTIONS)
                .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
                .addCompilerLibraries(CelExtensions.strings(), CelExtensions.lists(), CelExtensions.sets(OPTIONS),
                        CelExtensions.math(OPTIONS), CelExtensions.regex(), CelExtensions.optional())
                .addRuntimeLibraries(CelExtensions.strings(), CelExtensions.lists(), CelExtensions.sets(OPTIONS),
                        CelExtensions.math(OPTIONS), CelExtensions.regex(), CelExtensions.optional())
                .setTypeProvider(types)
                .addVar(SELF, self)
                .addVar(OLD_SELF, oldSelf)
                .build();
    }

    private static Compiled compile(Cel cel, ValidationRule r, @Nullable String fieldPath) {
        if (r.rule().isBlank()) {
            return new Compiled(r, null, null, false, null, null, fieldPath, null, null);
        }
        CelAbstractSyntaxTree ast;
        try {
            ast = checked(cel, r.rule());
        } catch (CelValidationException e) {
            return new Compiled(r, null, null, false, "compilation failed: " + e.getMessage(), null, fieldPath, null, null);
        }
        if (!ast.getResultType().equals(SimpleType.BOOL)) {
            return new Compiled(r, null, null, false, "cel expression must evaluate to a bool", null, fieldPath, null, null);
        }
        boolean usesOldSelf = ast.getReferenceMap().values().stream().anyMatch(ref -> ref.name().equals(OLD_SELF));
        CelRuntime.Program program = program(cel, ast);
        if (r.messageExpression().isEmpty()) {
            return new Compiled(r, program, null, usesOldSelf, null, null, fieldPath, ast, null);
        }
        CelAbstractSyntaxTree messageAst;
        try {
            messageAst = checked(cel, r.messageExpression());
        } catch (CelValidationException e) {
            return new Compiled(r, program, null, usesOldSelf, null, "messageExpression compilation failed: " + e.getMessage(), fieldPath, ast, null);
        }
        if (!messageAst.getResultType().equals(SimpleType.STRING)) {
            return new Compiled(r, program, null, usesOldSelf, null, "messageExpression must evaluate to a string", fieldPath, ast, null);
        }
        return new Compiled(r, program, program(cel, messageAst), usesOldSelf, null, null, fieldPath, ast, messageAst);
    }

    /**
     * ValidFieldPath: a JSON path of field names ({@code .a.b}, {@code .a['b.c']}) resolved through the schema from
     * {@code s}, printed as field.Path prints it (properties as {@code .name}, additionalProperties keys as
     * {@code [key]}); null when it does not name a field the schema has.
     */
    static @Nullable String validFieldPath(String jsonPath, StructuralSchema s) {
        List<String> tokens = fieldPathTokens(jsonPath);
        StringBuilder path = new StringBuilder();
        StructuralSchema at = s;
        for (int i = 0; i < tokens.size(); i++) {
            String tok = tokens.get(i);
            String name;
            if (tok.equals("[")) {
                String quoted = i + 1 < tokens.size() ? tokens.get(++i) : "";
                if (quoted.length() < 2 || quoted.charAt(0) != '\'' || !quoted.endsWith("'")
                        || i + 1 >= tokens.size() || !tokens.get(++i).equals("]")) {
                    return null;
                }
                name = unescapeSingleQuote(quoted.substring(1, quoted.length() - 1));
            } else if (tok.equals(".") && i + 1 < tokens.size()) {
                name = tokens.get(++i);
            } else {
                return null;
            }
            if (name == null || at == null) {
                return null;
            }
            if (!at.properties.isEmpty()) {
                at = at.properties.get(name);
                if (at == null) {
                    return null;
                }
                path.append(path.isEmpty() ? "" : ".").append(name);
            } else if (at.additionalProperties != null) {
                at = at.additionalProperties;
                path.append('[').append(name).append(']');
            } else {
                return null;
            }
        }
        return path.toString();
    }

    /** ValidFieldPath's scanner: the delimiters . [ ] one by one, a single-quoted string whole, names between. */
    static List<String> fieldPathTokens(String jsonPath) {
        List<String> tokens = new ArrayList<>();
        int i = 0;
        while (i < jsonPath.length()) {
            char ch = jsonPath.charAt(i);
            int end = i + 1;
            if (ch == '\'') {
                while (end < jsonPath.length() && !(jsonPath.charAt(end) == '\'' && jsonPath.charAt(end - 1) != '\\')) {
                    end++;
                }
                end = Math.min(end + 1, jsonPath.length());
            } else if (ch != '.' && ch != '[' && ch != ']') {
                while (end < jsonPath.length() && ".[]".indexOf(jsonPath.charAt(end)) < 0) {
                    end++;
                }
            }
            tokens.add(jsonPath.substring(i, end));
            i = end;
        }
        return tokens;
    }

    /** unescapeSingleQuote: Go's escapes in a quoted path segment; null for one Go does not know. */
    private static @Nullable String unescapeSingleQuote(String s) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (ch != '\\' || i + 1 >= s.length()) {
                out.append(ch);
                continue;
            }
            char d = s.charAt(++i);
            switch (d) {
                case 'a' -> out.append('\u0007');
                case 'b' -> out.append('\b');
                case 'f' -> out.append('\f');
                case 'n' -> out.append('\n');
                case 'r' -> out.append('\r');
                case 't' -> out.append('\t');
                case 'v' -> out.append('\u000b');
                case '\'', '\\' -> out.append(d);
                default -> {
                    return null;
                }
            }
        }
        return out.toString();
    }

    private static CelAbstractSyntaxTree checked(Cel cel, String expression) throws CelValidationException {
        CelValidationResult result = cel.compile(expression);
        if (result.hasError()) {
            throw new CelValidationException(result.getSource(), result.getErrors());
        }
        return result.getAst();
    }

    private static CelRuntime.Program program(Cel cel, CelAbstractSyntaxTree ast) {
        try {
            return cel.createProgram(ast);
        } catch (CelEvaluationException e) {
            // a checked AST of the standard environment always plans; anything else is cel-java's bug
            throw new IllegalStateException("cel-java could not plan a checked expression", e);
        }
    }

    /**
     * model.SchemaDeclType: the CEL type of a schema node; the struct types it names are its own provider, so each
     * compilation has its own names (kube generates them too, so that no rule can depend on them).
     */
    private static final class Types implements CelTypeProvider {
        private final Map<String, CelType> structs = new LinkedHashMap<>();

        CelType of(@Nullable StructuralSchema s, boolean resourceRoot) {
            if (s == null || s.intOrString || s.type.isEmpty()) {
                return SimpleType.DYN;
            }
            return switch (s.type) {
                case "boolean" -> SimpleType.BOOL;
                case "integer" -> SimpleType.INT;
                case "number" -> SimpleType.DOUBLE;
                case "string" -> SimpleType.STRING;
                case "array" -> ListType.create(of(s.items, false));
                case "object" -> object(s, resourceRoot);
                default -> SimpleType.DYN;
            };
        }

        private CelType object(StructuralSchema s, boolean resourceRoot) {
            if (s.additionalProperties != null) {
                return MapType.create(SimpleType.STRING, of(s.additionalProperties, false));
            }
            if (Boolean.TRUE.equals(s.preserveUnknownFields) && s.properties.isEmpty()) {
                return SimpleType.DYN; // fields no schema names: nothing to type
            }
            boolean meta = resourceRoot || s.embeddedResource;
            Map<String, CelType> fields = new LinkedHashMap<>();
            s.properties.forEach((name, p) -> fields.put(name, of(p, false)));
            if (meta) {
                // model.WithTypeAndObjectMeta: of metadata only name and generateName are typed for rules
                fields.put("apiVersion", SimpleType.STRING);
                fields.put("kind", SimpleType.STRING);
                fields.put("metadata", struct(Map.of("name", SimpleType.STRING, "generateName", SimpleType.STRING)));
            }
            return struct(fields);
        }

        private CelType struct(Map<String, CelType> fields) {
            String name = "kubus.schema.Object" + structs.size();
            StructType t = StructType.create(name, ImmutableSet.copyOf(fields.keySet()),
                    field -> Optional.ofNullable(fields.get(field)));
            structs.put(name, t);
            return t;
        }

        @Override
        public ImmutableCollection<CelType> types() {
            return ImmutableList.copyOf(structs.values());
        }

        @Override
        public Optional<CelType> findType(String typeName) {
            return Optional.ofNullable(structs.get(typeName));
        }
    }
}
