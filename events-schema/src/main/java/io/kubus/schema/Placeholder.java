package io.kubus.schema;
final class Placeholder {}
