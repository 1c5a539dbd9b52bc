import * as pulumi from "@pulumi/pulumi";
import { Publication } from "./published";

/** What a Prometheus needs to scrape one endpoint (the input of a ServiceMonitor or a scrape config). */
export interface ScrapeTarget {
    /** `<owner>/<endpoint name>`. */
    job: string;
    namespace: string;
    service: string;
    /** Labels of the pods behind the Service (a PodMonitor's selector, and the NetworkPolicy peer). */
    podLabels: Record<string, string>;
    port: number;
    path: string;
    basicAuth?: { username: string; password: pulumi.Input<string> };
}

/** Every published metrics endpoint as a scrape target, in publication order. */
export function renderScrapeTargets(publications: Publication[]): ScrapeTarget[] {
    return publications.flatMap((p) =>
        p.metrics.map((m) => ({
            job: `${p.owner}/${m.name}`,
            namespace: m.backend.pods.namespace,
            service: m.backend.service,
            podLabels: m.backend.pods.podLabels,
            port: m.backend.port,
            path: m.path,
            ...(m.credential ? { basicAuth: { username: m.credential.username, password: m.credential.password } } : {}),
        })),
    );
}
