package io.kubus.gateway.apiextensions.schema;

import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.ast.CelConstant;
import dev.cel.common.ast.CelExpr;
import dev.cel.common.ast.CelReference;
import dev.cel.common.types.CelKind;
import dev.cel.common.types.CelType;
import io.micronaut.core.annotation.Nullable;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The static cost estimate kube-apiserver 1.32 makes of x-kubernetes-validations when it validates a CRD, which
 * cel-java 0.14 does not have: cel-go's checker cost model (checker/cost.go) walked over cel-java's checked AST, with
 * the sizes apiextensions derives from the schema (model.SchemaDeclType: maxLength, maxItems, maxProperties, or for
 * unbounded ones the 3 MiB request divided by the smallest serialized element) and kube's library cost overrides for
 * the extension functions Kubus has. A rule's cost is its worst-case cost times how often it can run (the product of
 * maxItems/maxProperties above it, or the request size over the node's smallest serialized size); kube refuses a
 * rule over {@link #PER_EXPRESSION_LIMIT} and a schema whose rules together exceed {@link #CRD_LIMIT}.
 *
 * <p>Costs are cel-go's uint64 with saturation; here they saturate at {@link Long#MAX_VALUE} instead of 2^64-1.
 * Both lie far beyond the "more than 100x" the messages print for them, so no verdict or message differs.
 */
final class CelCost {
    /** apiextensions' StaticEstimatedCostLimit: the most one rule (times its cardinality) may cost. */
    static final long PER_EXPRESSION_LIMIT = 10_000_000L;
    /** apiextensions' StaticEstimatedCRDCostLimit: the most all rules of one schema may cost together. */
    static final long CRD_LIMIT = 100_000_000L;
    /** celconfig.MaxRequestSizeBytes: the largest request, which bounds what a schema leaves unbounded. */
    static final long MAX_REQUEST_SIZE = 3L * 1024 * 1024;
    private static final long MAX = Long.MAX_VALUE;
    /** The macros' accumulator: cel-go names it __result__, cel-java @result; its path names no data. */
    private static final Set<String> ACCUMULATORS = Set.of("__result__", "@result");
    private static final double STRING_TRAVERSAL = 0.1;
    private static final double REGEX_LENGTH = 0.25;

    private CelCost() {
    }

    /** apiserver/pkg/cel DeclType's size facts: how many elements (or bytes) at most, and the smallest JSON form. */
    static final class Decl {
        final long maxElements;
        final long minSerializedSize;
        @Nullable Decl elem;
        @Nullable Decl key;
        final Map<String, Decl> fields = new LinkedHashMap<>();

        Decl(long maxElements, long minSerializedSize) {
            this.maxElements = maxElements;
            this.minSerializedSize = minSerializedSize;
        }
    }

    /** SchemaDeclType's sizes for a node; null where kube exposes no CEL type. */
    static @Nullable Decl decl(@Nullable StructuralSchema s, boolean resourceRoot) {
        if (s == null) {
            return null;
        }
        if (s.intOrString) {
            // an int-or-string's smallest value is 0; its largest a string as long as maxLength allows
            return new Decl(s.maxLength != null ? zeroIfNegative(s.maxLength) * 4 : MAX_REQUEST_SIZE - 2, 1);
        }
        Map<String, StructuralSchema> properties = s.properties;
        if (resourceRoot) {
            properties = withTypeAndObjectMeta(s);
        }
        switch (s.type) {
            case "array" -> {
                Decl items = s.items == null ? null : decl(s.items, s.items.embeddedResource);
                if (items == null) {
                    return null;
                }
                // unbounded: as many of the smallest item as a request holds, each followed by a comma
                Decl d = new Decl(s.maxItems != null ? zeroIfNegative(s.maxItems)
                        : (MAX_REQUEST_SIZE - 2) / (items.minSerializedSize + 1), 2);
                d.elem = items;
                return d;
            }
            case "object" -> {
                if (s.additionalProperties != null) {
                    Decl values = decl(s.additionalProperties, s.additionalProperties.embeddedResource);
                    if (values == null) {
                        return null;
                    }
                    // unbounded: a two-character key, its quotes, colon and comma (6 bytes) per smallest value
                    Decl d = new Decl(s.maxProperties != null ? zeroIfNegative(s.maxProperties)
                            : (MAX_REQUEST_SIZE - 2) / (values.minSerializedSize + 6), 2);
                    d.elem = values;
                    d.key = new Decl(0, 2); // kube's map keys are its plain string type, of no known length
                    return d;
                }
                long min = 2; // {}
                Map<String, Decl> fields = new LinkedHashMap<>();
                for (Map.Entry<String, StructuralSchema> e : properties.entrySet()) {
                    StructuralSchema p = e.getValue();
                    Decl f = decl(p, p.embeddedResource);
                    if (f == null) {
                        continue;
                    }
                    fields.put(e.getKey(), f);
                    // required fields without a default must be sent: "name":value,
                    if (s.required.contains(e.getKey()) && p.defaultValue == null) {
                        min += e.getKey().getBytes(StandardCharsets.UTF_8).length + f.minSerializedSize + 4;
                    }
                }
                Decl d = new Decl(0, min);
                d.fields.putAll(fields);
                return d;
            }
            case "string" -> {
                return switch (s.format) {
                    case "byte" -> new Decl(s.maxLength != null ? zeroIfNegative(s.maxLength) : MAX_REQUEST_SIZE - 2, 2);
                    case "duration" -> new Decl(32, 3); // MaxDurationSizeJSON, MinDurationSizeJSON
                    case "date" -> new Decl(12, 12); // JSONDateSize
                    case "date-time" -> new Decl(32, 21); // MaxDatetimeSizeJSON, MinDatetimeSizeJSON
                    // maxLength counts code points, sizes count bytes: up to 4 a code point
                    default -> new Decl(s.maxLength != null ? zeroIfNegative(s.maxLength) * 4
                            : s.enumValues != null && !s.enumValues.isEmpty() ? longestEnum(s)
                            : MAX_REQUEST_SIZE - 2, 2);
                };
            }
            case "boolean" -> {
                return new Decl(0, 4);
            }
            case "number", "integer" -> {
                return new Decl(0, 1);
            }
            default -> {
                return null;
            }
        }
    }

    /** WithTypeAndObjectMeta: a resource root always has kind, apiVersion and metadata.name/generateName. */
    private static Map<String, StructuralSchema> withTypeAndObjectMeta(StructuralSchema s) {
        StructuralSchema meta = s.properties.get("metadata");
        if (isType(s.properties.get("kind"), "string") && isType(s.properties.get("apiVersion"), "string")
                && isType(meta, "object") && isType(meta.properties.get("name"), "string")
                && isType(meta.properties.get("generateName"), "string")) {
            return s.properties;
        }
        Map<String, StructuralSchema> props = new LinkedHashMap<>(s.properties);
        props.put("kind", stringSchema());
        props.put("apiVersion", stringSchema());
        StructuralSchema m = new StructuralSchema();
        m.type = "object";
        m.properties.put("name", stringSchema());
        m.properties.put("generateName", stringSchema());
        props.put("metadata", m);
        return props;
    }

    private static boolean isType(@Nullable StructuralSchema s, String type) {
        return s != null && s.type.equals(type);
    }

    private static StructuralSchema stringSchema() {
        StructuralSchema s = new StructuralSchema();
        s.type = "string";
        return s;
    }

    private static long longestEnum(StructuralSchema s) {
        long max = 0;
        for (var v : s.enumValues) {
            if (v.isTextual()) {
                max = Math.max(max, v.textValue().getBytes(StandardCharsets.UTF_8).length);
            }
        }
        return max;
    }

    private static long zeroIfNegative(long v) {
        return Math.max(0, v);
    }

    /**
     * How often a rule on a node can run when nothing above bounds it: as many of the node's smallest serialized
     * form as a request holds (compilation.go's maxCardinality).
     */
    static long unboundedCardinality(Decl d) {
        return MAX_REQUEST_SIZE / (d.minSerializedSize + 1);
    }

    /**
     * extractMaxElements: how many times each child of {@code s} can occur per occurrence of {@code s}; null when
     * unbounded (a list without maxItems, a map without maxProperties).
     */
    static @Nullable Long childFactor(StructuralSchema s) {
        return switch (s.type) {
            case "object" -> s.additionalProperties != null || s.additionalPropertiesAllowed != null
                    ? (s.maxProperties != null ? Long.valueOf(zeroIfNegative(s.maxProperties)) : null) : Long.valueOf(1);
            case "array" -> s.maxItems != null ? Long.valueOf(zeroIfNegative(s.maxItems)) : null;
            default -> 1L;
        };
    }

    /** A child's cardinality: the parent's times its factor; null (unbounded) if either is. */
    static @Nullable Long childCardinality(@Nullable Long parent, StructuralSchema parentSchema) {
        Long f = childFactor(parentSchema);
        return parent == null || f == null ? null : multiply(parent, f);
    }

    /** getExpressionCost: the rule's worst case times how often it can run. */
    static long expressionCost(long maxCost, @Nullable Long cardinality, Decl node) {
        return multiply(maxCost, cardinality != null ? cardinality : unboundedCardinality(node));
    }

    /** getCostErrorMessage, with Go's %f and %.1f (exact value, ties to even). */
    static String exceedsMessage(String costName, long cost, long limit) {
        double factor = (double) cost / (double) limit;
        String f;
        if (factor > 100.0) {
            f = "more than 100x"; // likely O(n^2) or worse: the exact factor says nothing more
        } else if (factor < 1.5) {
            f = new BigDecimal(factor).setScale(6, RoundingMode.HALF_EVEN).toPlainString() + "x";
        } else {
            f = new BigDecimal(factor).setScale(1, RoundingMode.HALF_EVEN).toPlainString() + "x";
        }
        return costName + " exceeds budget by factor of " + f + " (try simplifying the rule, or adding maxItems,"
                + " maxProperties, and maxLength where arrays, maps, and strings are declared)";
    }

    /** TotalCost: the sum over a schema's rules, and the (at most 4) costliest of those worth 1% of the limit. */
    static final class Total {
        long total;
        final List<Map.Entry<String, Long>> mostExpensive = new ArrayList<>();

        void observe(String path, long cost) {
            total = add(total, cost);
            if (cost < CRD_LIMIT / 100) {
                return;
            }
            mostExpensive.add(Map.entry(path, cost));
            mostExpensive.sort(Comparator.comparing((Map.Entry<String, Long> e) -> e.getValue()).reversed());
            if (mostExpensive.size() > 4) {
                mostExpensive.remove(4);
            }
        }
    }

    /** The checked expression's worst-case cost (cel-go's CostEstimate.Max) against the node's sizes. */
    static long maxCost(CelAbstractSyntaxTree ast, @Nullable Decl root) {
        return new Coster(ast, root).cost(ast.getExpr()).max;
    }

    static long add(long a, long b) {
        long r = a + b;
        return ((a ^ r) & (b ^ r)) < 0 ? MAX : r;
    }

    static long multiply(long a, long b) {
        if (a == 0 || b == 0) {
            return 0;
        }
        return a > MAX / b ? MAX : a * b;
    }

    private static long byFactor(long x, double y) {
        double v = Math.ceil((double) x * y);
        return v >= (double) MAX ? MAX : (long) v;
    }

    /** A [min, max] pair: cel-go's SizeEstimate and CostEstimate alike. */
    private record Est(long min, long max) {
        static final Est ZERO = new Est(0, 0);
        static final Est ONE = new Est(1, 1);
        static final Est UNKNOWN = new Est(0, MAX);

        Est plus(Est o) {
            return new Est(add(min, o.min), add(max, o.max));
        }

        Est times(Est o) {
            return new Est(multiply(min, o.min), multiply(max, o.max));
        }

        Est byCostFactor(double f) {
            return new Est(byFactor(min, f), byFactor(max, f));
        }

        Est union(Est o) {
            return new Est(Math.min(min, o.min), Math.max(max, o.max));
        }
    }

    /** cel-go's coster over cel-java's AST: the same walk, the same paths for size lookups, the same charges. */
    private static final class Coster {
        private final CelAbstractSyntaxTree ast;
        private final @Nullable Decl root;
        private final Map<Long, List<String>> paths = new HashMap<>();
        private final Map<String, Deque<CelExpr>> iterRanges = new HashMap<>();
        private final Map<Long, Est> computed = new HashMap<>();

        Coster(CelAbstractSyntaxTree ast, @Nullable Decl root) {
            this.ast = ast;
            this.root = root;
        }

        Est cost(@Nullable CelExpr e) {
            if (e == null) {
                return Est.ZERO;
            }
            return switch (e.getKind()) {
                case CONSTANT -> Est.ZERO;
                case IDENT -> ident(e);
                case SELECT -> select(e);
                case CALL -> call(e);
                case LIST -> {
                    Est sum = Est.ZERO;
                    for (CelExpr el : e.list().elements()) {
                        sum = sum.plus(cost(el));
                    }
                    yield sum.plus(new Est(10, 10));
                }
                case MAP -> {
                    Est sum = Est.ZERO;
                    for (CelExpr.CelMap.Entry en : e.map().entries()) {
                        sum = sum.plus(cost(en.key())).plus(cost(en.value()));
                    }
                    yield sum.plus(new Est(30, 30));
                }
                case STRUCT -> {
                    Est sum = Est.ZERO;
                    for (CelExpr.CelStruct.Entry en : e.struct().entries()) {
                        sum = sum.plus(cost(en.value()));
                    }
                    yield sum.plus(new Est(40, 40));
                }
                case COMPREHENSION -> comprehension(e);
                default -> Est.ZERO;
            };
        }

        private Est ident(CelExpr e) {
            String name = e.ident().name();
            Deque<CelExpr> ranges = iterRanges.get(name);
            if (ranges != null && !ranges.isEmpty()) {
                // an iteration variable stands for the range's items (lists) or keys (maps)
                CelExpr range = ranges.peek();
                CelKind k = kind(range);
                if (k == CelKind.LIST) {
                    paths.put(e.id(), append(paths.get(range.id()), "@items"));
                } else if (k == CelKind.MAP) {
                    paths.put(e.id(), append(paths.get(range.id()), "@keys"));
                }
            } else {
                paths.put(e.id(), List.of(name));
            }
            return Est.ONE;
        }

        private Est select(CelExpr e) {
            CelExpr.CelSelect sel = e.select();
            if (sel.testOnly()) {
                // kube keeps has() free (PresenceTestHasCost(false)), as before cel-go 0.17.7
                return cost(sel.operand());
            }
            Est sum = cost(sel.operand());
            CelKind k = kind(sel.operand());
            if (k == CelKind.MAP || k == CelKind.STRUCT || k == CelKind.TYPE_PARAM) {
                sum = sum.plus(Est.ONE);
            }
            paths.put(e.id(), append(paths.get(sel.operand().id()), sel.field()));
            return sum;
        }

        private Est call(CelExpr e) {
            CelExpr.CelCall call = e.call();
            List<CelExpr> args = call.args();
            List<Est> argCosts = new ArrayList<>();
            for (CelExpr a : args) {
                argCosts.add(cost(a));
            }
            List<String> overloads = ast.getReference(e.id()).map(CelReference::overloadIds).map(List::copyOf)
                    .orElse(List.of());
            if (overloads.isEmpty()) {
                return Est.ZERO;
            }
            Est sum = Est.ZERO;
            CelExpr target = call.target().orElse(null);
            if (target != null) {
                sum = sum.plus(cost(target));
            }
            Est fn = new Est(MAX, 0);
            Est resultSize = null;
            for (String overload : overloads) {
                Call c = function(call.function(), overload, target, args, argCosts);
                fn = fn.union(c.cost);
                if (c.resultSize != null) {
                    resultSize = resultSize == null ? c.resultSize : resultSize.union(c.resultSize);
                }
                if (overload.equals("index_list") && !args.isEmpty()) {
                    paths.put(e.id(), append(paths.get(args.get(0).id()), "@items"));
                } else if (overload.equals("index_map") && !args.isEmpty()) {
                    paths.put(e.id(), append(paths.get(args.get(0).id()), "@values"));
                }
            }
            if (resultSize != null) {
                computed.put(e.id(), resultSize);
            }
            return sum.plus(fn);
        }

        private Est comprehension(CelExpr e) {
            CelExpr.CelComprehension comp = e.comprehension();
            Est sum = cost(comp.iterRange()).plus(cost(comp.accuInit()));
            iterRanges.computeIfAbsent(comp.iterVar(), k -> new ArrayDeque<>()).push(comp.iterRange());
            Est loop = cost(comp.loopCondition());
            Est step = cost(comp.loopStep());
            iterRanges.get(comp.iterVar()).pop();
            sum = sum.plus(cost(comp.result()));
            Est range = size(comp.iterRange());
            computed.put(e.id(), range);
            return sum.plus(range.times(step.plus(loop)));
        }

        private record Call(Est cost, @Nullable Est resultSize) {
        }

        /** functionCost: the sets library's estimators, then kube's library estimates, then cel-go's own. */
        private Call function(String function, String overload, @Nullable CelExpr target, List<CelExpr> args,
                              List<Est> argCosts) {
            Est argSum = Est.ZERO;
            for (Est a : argCosts) {
                argSum = argSum.plus(a);
            }
            double setsFactor = switch (overload) {
                case "list_sets_contains_list", "list_sets_intersects_list" -> 1;
                case "list_sets_equivalent_list" -> 2;
                default -> 0;
            };
            if (setsFactor > 0 && args.size() == 2) {
                Est c = kubeSize(args.get(0)).times(kubeSize(args.get(1))).byCostFactor(setsFactor).plus(Est.ONE);
                return new Call(c.plus(argSum), null);
            }
            Call kube = kubeCall(function, target, args);
            if (kube != null) {
                return new Call(kube.cost.plus(argSum), kube.resultSize);
            }
            switch (overload) {
                case "string_format" -> {
                    if (target != null) {
                        return new Call(size(target).byCostFactor(STRING_TRAVERSAL).plus(argSum), null);
                    }
                }
                case "string_to_bytes" -> {
                    if (args.size() == 1) {
                        Est sz = size(args.get(0));
                        return new Call(sz.byCostFactor(STRING_TRAVERSAL).plus(argSum),
                                new Est(sz.min, multiply(sz.max, 4)));
                    }
                }
                case "bytes_to_string" -> {
                    if (args.size() == 1) {
                        Est sz = size(args.get(0));
                        return new Call(sz.byCostFactor(STRING_TRAVERSAL).plus(argSum), new Est(sz.min / 4, sz.max));
                    }
                }
                case "strings_quote" -> {
                    if (args.size() == 1) {
                        // every character may need escaping, plus the quotes
                        Est sz = size(args.get(0));
                        return new Call(sz.byCostFactor(STRING_TRAVERSAL).plus(argSum),
                                new Est(add(sz.min, 2), add(multiply(sz.max, 2), 2)));
                    }
                }
                case "starts_with_string", "ends_with_string" -> {
                    if (args.size() == 1) {
                        return new Call(size(args.get(0)).byCostFactor(STRING_TRAVERSAL).plus(argSum), null);
                    }
                }
                case "in_list" -> {
                    if (args.size() == 2) {
                        return new Call(size(args.get(1)).byCostFactor(1).plus(argSum), null);
                    }
                }
                case "matches_string" -> {
                    if (target != null && args.size() == 1) {
                        // the string (plus one, so an empty one still costs) times a guess at the regex's states
                        Est str = size(target).plus(Est.ONE).byCostFactor(STRING_TRAVERSAL);
                        Est regex = size(args.get(0)).byCostFactor(REGEX_LENGTH);
                        return new Call(str.times(regex).plus(argSum), null);
                    }
                }
                case "contains_string" -> {
                    if (target != null && args.size() == 1) {
                        Est str = size(target).byCostFactor(STRING_TRAVERSAL);
                        Est sub = size(args.get(0)).byCostFactor(STRING_TRAVERSAL);
                        return new Call(str.times(sub).plus(argSum), null);
                    }
                }
                case "logical_or", "logical_and" -> {
                    // short-circuit: the left side at least, both at most
                    Est lhs = argCosts.get(0);
                    return new Call(new Est(lhs.min, lhs.plus(argCosts.get(1)).max), null);
                }
                case "conditional" -> {
                    Est sz = size(args.get(1)).union(size(args.get(2)));
                    return new Call(argCosts.get(0).plus(argCosts.get(1).union(argCosts.get(2))), sz);
                }
                case "add_string", "add_bytes", "add_list" -> {
                    if (args.size() == 2) {
                        Est sz = size(args.get(0)).plus(size(args.get(1)));
                        if (overload.equals("add_list")) {
                            return new Call(Est.ONE.plus(argSum), sz);
                        }
                        return new Call(sz.byCostFactor(STRING_TRAVERSAL).plus(argSum), sz);
                    }
                }
                case "less_string", "greater_string", "less_equals_string", "greater_equals_string",
                     "less_bytes", "greater_bytes", "less_equals_bytes", "greater_equals_bytes",
                     "equals", "not_equals" -> {
                    // comparing stops at the shorter side
                    long smallestMax = Math.min(size(args.get(0)).max, size(args.get(1)).max);
                    Est c = new Est(smallestMax > 0 ? 1 : 0, smallestMax).byCostFactor(STRING_TRAVERSAL);
                    return new Call(c.plus(argSum), null);
                }
                default -> {
                }
            }
            return new Call(Est.ONE.plus(argSum), null);
        }

        /** library.CostEstimator.EstimateCallCost for the functions Kubus's environment has (by name, as kube). */
        private @Nullable Call kubeCall(String function, @Nullable CelExpr target, List<CelExpr> args) {
            if (target == null) {
                return null;
            }
            switch (function) {
                case "isSorted", "sum", "max", "min", "indexOf", "lastIndexOf" -> {
                    Est elem = listElementSize(target);
                    if (elem != null) {
                        // one per element compared, plus traversing it when it is a string or bytes
                        Est el = Est.ONE;
                        CelKind k = ast.getType(target.id()).map(t -> t.parameters().get(0).kind()).orElse(CelKind.DYN);
                        if (k == CelKind.STRING || k == CelKind.BYTES) {
                            el = el.plus(elem.byCostFactor(STRING_TRAVERSAL));
                        }
                        return new Call(kubeSize(target).times(el), null);
                    }
                    return new Call(kubeSize(target).byCostFactor(STRING_TRAVERSAL), null);
                }
                case "lowerAscii", "upperAscii", "substring", "trim" -> {
                    Est sz = kubeSize(target);
                    return new Call(sz.byCostFactor(STRING_TRAVERSAL), sz);
                }
                case "replace" -> {
                    if (args.size() >= 2) {
                        return replace(kubeSize(target), kubeSize(args.get(0)), kubeSize(args.get(1)));
                    }
                }
                case "split" -> {
                    Est sz = kubeSize(target);
                    long max = sz.max;
                    if (args.size() > 1 && args.get(1).getKind() == CelExpr.ExprKind.Kind.CONSTANT
                            && args.get(1).constant().getKind() == CelConstant.Kind.INT64_VALUE) {
                        max = args.get(1).constant().int64Value(); // the limit caps the pieces
                    }
                    return new Call(sz.byCostFactor(2 * STRING_TRAVERSAL), new Est(0, max));
                }
                case "join" -> {
                    Est list = kubeSize(target);
                    Est elem = listElementSize(target);
                    Est sz = elem != null ? list.times(elem) : Est.ZERO;
                    if (!args.isEmpty()) {
                        Est separators = new Est(list.min > 0 ? list.min - 1 : 0, list.max > 0 ? list.max - 1 : 0);
                        sz = sz.plus(kubeSize(args.get(0)).times(separators));
                    }
                    return new Call(sz.byCostFactor(STRING_TRAVERSAL), sz);
                }
                default -> {
                }
            }
            return null;
        }

        /** kube's replace: traversal plus building the result, whose size follows from the two strings' sizes. */
        private static Call replace(Est sz, Est toReplace, Est replaceWith) {
            long countMax;
            long countMin;
            long retainedMax = 0;
            long retainedMin = 0;
            if (toReplace.min == 0) {
                countMax = sz.max < MAX ? sz.max + 1 : sz.max;
                retainedMax = sz.max;
            } else if (replaceWith.max <= toReplace.min) {
                countMax = 0;
                retainedMax = sz.max;
            } else {
                countMax = (long) Math.ceil((double) sz.max / (double) toReplace.min);
            }
            if (toReplace.max == 0) {
                countMin = sz.min < MAX ? sz.min + 1 : sz.min;
                retainedMin = sz.min;
            } else if (toReplace.max <= replaceWith.min) {
                countMin = 0;
                retainedMin = sz.min;
            } else {
                countMin = (long) Math.ceil((double) sz.min / (double) toReplace.max);
            }
            Est size = new Est(countMin, countMax).times(replaceWith).plus(new Est(retainedMin, retainedMax));
            return new Call(sz.byCostFactor(2 * STRING_TRAVERSAL), size);
        }

        /** listElementNode's size: the list's items by path when known, else unknown; null for a non-list. */
        private @Nullable Est listElementSize(CelExpr list) {
            Optional<CelType> t = ast.getType(list.id());
            if (t.isEmpty() || t.get().parameters().isEmpty()) {
                return null;
            }
            List<String> path = nodePath(list);
            if (path == null) {
                return Est.UNKNOWN;
            }
            Est sz = declSize(append(path, "@items"));
            return sz != null ? sz : Est.UNKNOWN;
        }

        /** cel-go's sizeEstimate: computed, then the schema's, then 1 for scalars, else unknown. */
        private Est size(CelExpr e) {
            Est c = computedSize(e);
            if (c != null) {
                return c;
            }
            Est d = declSize(nodePath(e));
            if (d != null) {
                return d;
            }
            return isScalar(kind(e)) ? Est.ONE : Est.UNKNOWN;
        }

        /** kube library's sizeEstimate: as cel-go's, without the scalar rule. */
        private Est kubeSize(CelExpr e) {
            Est c = computedSize(e);
            if (c != null) {
                return c;
            }
            Est d = declSize(nodePath(e));
            return d != null ? d : Est.UNKNOWN;
        }

        private @Nullable Est computedSize(CelExpr e) {
            Est c = computed.get(e.id());
            if (c != null) {
                return c;
            }
            long v;
            switch (e.getKind()) {
                case CONSTANT -> {
                    CelConstant k = e.constant();
                    switch (k.getKind()) {
                        case STRING_VALUE -> v = k.stringValue().codePointCount(0, k.stringValue().length());
                        case BYTES_VALUE -> v = k.bytesValue().size();
                        case BOOLEAN_VALUE, DOUBLE_VALUE, DURATION_VALUE, INT64_VALUE, TIMESTAMP_VALUE,
                             UINT64_VALUE, NULL_VALUE -> v = 1;
                        default -> {
                            return null;
                        }
                    }
                }
                case LIST -> v = e.list().elements().size();
                case MAP -> v = e.map().entries().size();
                default -> {
                    return null;
                }
            }
            return new Est(v, v);
        }

        /** The AST node's path, except the accumulator's, which names no data. */
        private @Nullable List<String> nodePath(CelExpr e) {
            List<String> p = paths.get(e.id());
            return p != null && !p.isEmpty() && ACCUMULATORS.contains(p.get(0)) ? null : p;
        }

        /** sizeEstimator.EstimateSize: walk the path (after self) through the node's sizes. */
        private @Nullable Est declSize(@Nullable List<String> path) {
            if (path == null || path.isEmpty() || root == null) {
                return null;
            }
            Decl at = root;
            for (String name : path.subList(1, path.size())) {
                at = switch (name) {
                    case "@items", "@values" -> at.elem;
                    case "@keys" -> at.key;
                    default -> at.fields.get(name);
                };
                if (at == null) {
                    return null;
                }
            }
            return new Est(0, at.maxElements);
        }

        private CelKind kind(CelExpr e) {
            return ast.getType(e.id()).map(CelType::kind).orElse(CelKind.DYN);
        }

        private static boolean isScalar(CelKind k) {
            return switch (k) {
                case BOOL, DOUBLE, DURATION, INT, TIMESTAMP, UINT -> true;
                default -> false;
            };
        }

        private static List<String> append(@Nullable List<String> path, String name) {
            List<String> p = new ArrayList<>(path == null ? List.of() : path);
            p.add(name);
            return p;
        }
    }
}
