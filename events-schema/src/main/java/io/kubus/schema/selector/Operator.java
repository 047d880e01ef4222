package io.kubus.schema.selector;

/** Label selector requirement operators (k8s.io/apimachinery/pkg/selection). */
public enum Operator {
    IN("in"),
    NOT_IN("notin"),
    EQUALS("="),
    DOUBLE_EQUALS("=="),
    NOT_EQUALS("!="),
    EXISTS("exists"),
    DOES_NOT_EXIST("!"),
    GREATER_THAN("gt"),
    LESS_THAN("lt");

    private final String symbol;

    Operator(String symbol) {
        this.symbol = symbol;
    }

    /** The {@code selection.Operator} string Kubernetes uses for this operator. */
    public String symbol() {
        return symbol;
    }
}
