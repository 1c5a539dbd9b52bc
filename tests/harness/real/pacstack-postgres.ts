import { renderPostgresValues } from "../../../components/postgres/values";

/** Server settings of a postgresql.conf fragment (`key = value` lines, values optionally single-quoted). */
export function parsePostgresConf(text: string): Record<string, string> {
    const settings: Record<string, string> = {};
    for (const raw of text.split("\n")) {
        const line = raw.replace(/#.*$/, "").trim();
        if (!line) continue;
        const match = /^([a-z_.]+)\s*=?\s*(.+)$/i.exec(line);
        if (!match) throw new Error(`not a postgresql.conf line: ${raw}`);
        const value = match[2].trim();
        settings[match[1]] = value.startsWith("'") && value.endsWith("'") ? value.slice(1, -1).replace(/''/g, "'") : value;
    }
    return settings;
}

/**
 * The PostgreSQL server settings pacstack renders for the Bitnami chart (primary.extendedConfiguration), so a
 * loopback PostgreSQL runs with the same tuning as the deployed one. TLS file locations are the harness's own.
 */
export function pacstackPostgresSettings(): Record<string, string> {
    const values = renderPostgresValues({
        fullname: "pacstack-postgresql",
        image: { registry: "docker.io", repository: "bitnamilegacy/postgresql", tag: "17" },
        database: "orthanc",
        username: "orthanc",
        credentialsSecret: "credentials",
        tlsSecret: "tls",
        storage: { size: "1Gi" },
        resources: { requests: { cpu: "1", memory: "1Gi" }, limits: { cpu: "2", memory: "2Gi" } },
    }) as { primary: { extendedConfiguration: string } };
    return parsePostgresConf(values.primary.extendedConfiguration);
}
