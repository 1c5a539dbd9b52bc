import { readFileSync } from "node:fs";
import { join } from "node:path";
import { DB_PASSWORD_ENV } from "../../components/orthanc/config";
import { renderDeployedOrthancConfig } from "../../components/orthanc/deployed-config";
import { ORTHANC_MOUNTS, ORTHANC_PLUGIN_DIR } from "../../components/orthanc/paths";
import { pacstackPostgresSettings, parsePostgresConf } from "../harness/real/pacstack-postgres";
import { PRODUCTION_ORTHANC_INPUT } from "../harness/real/production";


export interface StorescpTarget {
    kind: "storescp";
    id: string;
    label: string;
    description: string;
    tls: boolean;
}

export interface OrthancTarget {
    kind: "orthanc";
    id: string;
    label: string;
    description: string;
    /** The configuration with the pod's paths and hosts (loopbackOrthancConfig rewrites them). */
    config: Record<string, unknown>;
    /** PostgreSQL server settings for this target's own cluster; undefined: no PostgreSQL (SQLite index). */
    postgres?: Record<string, string>;
    /** DICOM TLS with a client certificate (pacstack's configuration requires it). */
    tls: boolean;
}

export type Target = StorescpTarget | OrthancTarget;

const plugin = (name: string) => `${ORTHANC_PLUGIN_DIR}/${name}`;

/** Orthanc's own defaults: only where to listen and store, the DICOMweb plugin (for QIDO/WADO) and a REST user. */
function stockConfig(name: string): Record<string, unknown> {
    return {
        Name: name,
        HttpPort: 8042,
        DicomPort: 4242,
        StorageDirectory: ORTHANC_MOUNTS.storage,
        IndexDirectory: ORTHANC_MOUNTS.storage,
        Plugins: [plugin("libOrthancDicomWeb.so")],
        AuthenticationEnabled: true,
        DicomWeb: { Enable: true },
    };
}

/** The PostgreSQL index plugin with nothing but its connection parameters (plugin defaults for everything else). */
function stockPostgresConfig(): Record<string, unknown> {
    const config = stockConfig("stock-postgresql");
    return {
        ...config,
        Plugins: [plugin("libOrthancPostgreSQLIndex.so"), plugin("libOrthancDicomWeb.so")],
        PostgreSQL: {
            EnableIndex: true,
            EnableStorage: false,
            Host: PRODUCTION_ORTHANC_INPUT.database.host,
            Port: PRODUCTION_ORTHANC_INPUT.database.port,
            Database: PRODUCTION_ORTHANC_INPUT.database.name,
            Username: PRODUCTION_ORTHANC_INPUT.database.username,
            Password: `\${${DB_PASSWORD_ENV}}`,
        },
    };
}

interface BeforeFixture {
    orthanc: Record<string, unknown>;
    postgresExtendedConfiguration: string;
}

/** pacstack's configuration as rendered before the tuning (tests/bench/pacstack-before.json). */
export function pacstackBefore(): BeforeFixture {
    return JSON.parse(readFileSync(join(__dirname, "pacstack-before.json"), "utf8")) as BeforeFixture;
}

/** Deep merge; a `null` in the patch removes the key. */
export function applyPatch(base: Record<string, unknown>, patch: Record<string, unknown>): Record<string, unknown> {
    const out: Record<string, unknown> = { ...base };
    for (const [key, value] of Object.entries(patch)) {
        const current = out[key];
        if (value === null) delete out[key];
        else if (typeof value === "object" && !Array.isArray(value) && current && typeof current === "object" && !Array.isArray(current)) {
            out[key] = applyPatch(current as Record<string, unknown>, value as Record<string, unknown>);
        } else out[key] = value;
    }
    return out;
}

export interface VariantSpec {
    /** Patch over pacstack's rendered Orthanc configuration. */
    orthanc?: Record<string, unknown>;
    /** PostgreSQL settings over pacstack's rendered ones. */
    postgres?: Record<string, string>;
    /** Start from the configuration before tuning instead of the current one. */
    base?: "current" | "before";
}

export function builtinTargets(): Target[] {
    const before = pacstackBefore();
    return [
        { kind: "storescp", id: "a", label: "storescp --fork", description: "dcmtk storescp --fork, plain TCP: this machine's DICOM transfer bound", tls: false },
        {
            kind: "storescp",
            id: "a-tls",
            label: "storescp --fork",
            description: "dcmtk storescp --fork with DICOM TLS and a required client certificate, as pacstack's Orthanc",
            tls: true,
        },
        { kind: "orthanc", id: "b", label: "Orthanc stock (SQLite)", description: "Orthanc with its default settings and SQLite index", config: stockConfig("stock-sqlite"), tls: false },
        {
            kind: "orthanc",
            id: "c",
            label: "Orthanc + PostgreSQL stock",
            description: "Orthanc defaults, PostgreSQL index plugin with its own defaults, PostgreSQL server defaults",
            config: stockPostgresConfig(),
            postgres: {},
            tls: false,
        },
        {
            kind: "orthanc",
            id: "d",
            label: "pacstack",
            description: "pacstack's rendered configuration (DICOM TLS, PostgreSQL over TLS) and PostgreSQL settings",
            config: renderDeployedOrthancConfig(PRODUCTION_ORTHANC_INPUT),
            postgres: pacstackPostgresSettings(),
            tls: true,
        },
        {
            kind: "orthanc",
            id: "d-1conn",
            label: "pacstack, 1 DB connection",
            description:
                "pacstack's configuration with PostgreSQL.IndexConnectionsCount 1: the best count for Debian's plugin 4.0, whose " +
                "Serializable transactions collide on parallel connections (plugin >= 7.0 defaults to 50 ReadCommitted ones)",
            config: applyPatch(renderDeployedOrthancConfig(PRODUCTION_ORTHANC_INPUT), { PostgreSQL: { IndexConnectionsCount: 1 } }),
            postgres: pacstackPostgresSettings(),
            tls: true,
        },
        {
            kind: "orthanc",
            id: "d-before",
            label: "pacstack before tuning",
            description: "pacstack's configuration as rendered before the tuning (tests/bench/pacstack-before.json)",
            config: before.orthanc,
            postgres: parsePostgresConf(before.postgresExtendedConfiguration),
            tls: true,
        },
    ];
}

/** A variant of pacstack's configuration from `name=JSON` (VariantSpec) on the command line. */
export function variantTarget(name: string, spec: VariantSpec): OrthancTarget {
    const before = pacstackBefore();
    const base = spec.base === "before" ? before.orthanc : renderDeployedOrthancConfig(PRODUCTION_ORTHANC_INPUT);
    const postgres = spec.base === "before" ? parsePostgresConf(before.postgresExtendedConfiguration) : pacstackPostgresSettings();
    const config = applyPatch(base, spec.orthanc ?? {});
    return {
        kind: "orthanc",
        id: name,
        label: `variant ${name}`,
        description: `pacstack ${spec.base ?? "current"} + ${JSON.stringify({ orthanc: spec.orthanc, postgres: spec.postgres })}`,
        config,
        postgres: { ...postgres, ...spec.postgres },
        tls: config.DicomTlsEnabled !== false,
    };
}
