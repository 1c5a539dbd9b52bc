/**
 * The Keycloak release pacstack deploys: the official image's tag, and the version of Maven Central's
 * `org.keycloak:keycloak-quarkus-dist` the real-software tests run (tests/tools/keycloak.sh reads it from here).
 */
export const KEYCLOAK_VERSION = "26.7.3";
