import { AlertRulesInput } from "../../components/monitoring/rules/alerts";
import { Matchers } from "../../components/monitoring/rules/promql";

/** Targets as PodMonitors in the dev stack's namespaces would label them (`job` = `<namespace>/<monitor>`). */
export const TARGETS = {
    orthanc: { namespace: "pacstack", job: "pacstack/pacstack-orthanc" },
    postgres: { namespace: "pacstack", job: "pacstack/pacstack-postgresql" },
    traefik: { namespace: "pacstack-ingress", job: "pacstack-ingress/pacstack-traefik" },
    keycloak: { namespace: "pacstack", job: "pacstack/pacstack-keycloak" },
    oauth2Proxy: { namespace: "pacstack", job: "pacstack/pacstack-oauth2-proxy" },
} satisfies Record<string, Matchers>;

export const ARCHIVE_EDGE_SERVICE = "pacstack-pacstack-orthanc-8042@kubernetescrd";

/**
 * The input the promtool tests render: promtool's clock starts at the Unix epoch, so one certificate expires 14 days
 * after it (within the warning) and one after 59 days.
 */
export const RULES_INPUT: AlertRulesInput = {
    targets: TARGETS,
    volumeNamespaces: ["pacstack", "pacstack-monitoring"],
    backupCronJobs: [{ namespace: "pacstack", name: "pacstack-postgresql-backup" }],
    certificateExpiries: { soon: "1970-01-15T00:00:00Z", later: "1970-03-01T00:00:00Z" },
    archiveEdgeServices: [ARCHIVE_EDGE_SERVICE],
    orthancStorageCeilingMiB: 18432,
};

/** `name{a="x",...}` in promtool's series notation. */
export function series(name: string, labels: Record<string, string>): string {
    return `${name}{${Object.entries(labels)
        .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
        .join(",")}}`;
}
