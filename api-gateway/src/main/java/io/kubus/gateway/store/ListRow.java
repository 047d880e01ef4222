package io.kubus.gateway.store;

/** One object of a list: its key and its JSON as stored (decrypted), which is what the API serves. */
public record ListRow(String namespace, String name, String body) {
    public ListKey key() {
        return new ListKey(namespace, name);
    }
}
