import { Publication, Workload, publication } from "../publish/published";
import { JGROUPS_PORTS, KEYCLOAK_HTTP_PORT, KEYCLOAK_MANAGEMENT_PORT, KEYCLOAK_PATH, KEYCLOAK_SERVICE_PORT } from "./values";

export interface KeycloakPublicationInput {
    /** The chart's HTTP Service (`<fullname>-http`). */
    service: string;
    pods: Workload;
    /** The two Jobs' pods. */
    databaseJob: Workload;
    syncJob: Workload;
    /** The PostgreSQL pods and port. */
    database: Workload & { port: number };
}

/**
 * What Keycloak publishes: /auth on the public host (its own sign-in pages, tokens, admin console: Keycloak
 * authenticates every request itself, so the route is public and forwards the Authorization header, which its token
 * and admin endpoints read); the flows to its database (from Keycloak and from the database Job), from the sync Job,
 * between Keycloak pods (Infinispan's cluster transport); and its metrics on the management port.
 */
export function keycloakPublication(input: KeycloakPublicationInput): Publication {
    const http = { service: input.service, port: KEYCLOAK_SERVICE_PORT, pods: input.pods };
    const database = { namespace: input.database.namespace, podLabels: input.database.podLabels };
    return publication(input.service, {
        routes: [{ name: "keycloak", path: KEYCLOAK_PATH, protection: "public", forwardCredentials: true, uploadLimitMiB: 1, backend: http }],
        flows: [
            { name: "keycloak-to-postgresql", from: input.pods, to: database, ports: [{ port: input.database.port }] },
            { name: "keycloak-database-job-to-postgresql", from: input.databaseJob, to: database, ports: [{ port: input.database.port }] },
            { name: "keycloak-realm-sync-to-keycloak", from: input.syncJob, to: input.pods, ports: [{ port: KEYCLOAK_HTTP_PORT }] },
            { name: "keycloak-cluster", from: input.pods, to: input.pods, ports: JGROUPS_PORTS.map((port) => ({ port })) },
        ],
        metrics: [{ name: "keycloak", backend: { ...http, port: KEYCLOAK_MANAGEMENT_PORT }, path: `${KEYCLOAK_PATH}/metrics` }],
    });
}
