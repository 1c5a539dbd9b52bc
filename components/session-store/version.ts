/**
 * The session store's image: Valkey (the Linux Foundation's BSD-licensed continuation of Redis, protocol-compatible
 * with it), pinned. oauth2-proxy speaks to it as to Redis. The real-software tests run Debian 12's redis-server
 * 7.0.15 with the same rendered configuration and ACL (README: Single sign-on, "Sign-out ends the session at once").
 */
export const SESSION_STORE_IMAGE = "docker.io/valkey/valkey:8.1.11";
