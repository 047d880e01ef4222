package io.kubus.broker;
final class P {}
