package io.kubus.gateway.auth;

import java.util.Optional;

/**
 * Authenticates a bearer token (kube's authenticator.Token): empty when the token is not of its kind, so the next
 * one may try; {@link InvalidTokenException} when it is of its kind but not good (401, whatever the others say).
 */
public interface TokenAuthenticator {
    Optional<UserInfo> authenticate(String token);
}
