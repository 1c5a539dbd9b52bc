import { ModalityAccess } from "../config/modalities";
import { ForwardingRule } from "../config/peers";
import { stableJson } from "../kube/metadata";
import { extraConfigProblems, mergeExtraConfig } from "./extra-config";
import { renderDicomModalities } from "./modalities";
import { OrthancPluginName, renderPluginSections } from "./plugins";
import { PeerEndpoint, renderOrthancPeers } from "./peers";

/** Ports Orthanc listens on inside its pod. */
export const ORTHANC_HTTP_PORT = 8042;
export const ORTHANC_DICOM_PORT = 4242;

/**
 * Connections each Orthanc process keeps to PostgreSQL (PostgreSQL.IndexConnectionsCount). The production plugin
 * (>= 7.0) defaults to 50, which with 10 replicas plus the rolling update's surge pod would need 550 sessions;
 * pacstack's PostgreSQL allows POSTGRES_MAX_CONNECTIONS (components/postgres/values.ts). Eight per process cover
 * Orthanc's 4 DICOM threads plus concurrent REST/DICOMweb reads, and (MAX_ORTHANC_REPLICAS + 1) x 8 = 88 stays
 * below PostgreSQL's limit minus its reserved superuser slots.
 */
export const ORTHANC_INDEX_CONNECTIONS = 8;
/** Largest orthancReplicas the configuration accepts (components/config/validate.ts). */
export const MAX_ORTHANC_REPLICAS = 10;

/**
 * DICOM TLS at BCP 195 (RFC 9325), for Orthanc >= 1.12.4 (the image carries 1.12.11). DicomTlsMinimumProtocolVersion
 * 4 means "TLS 1.2 and 1.3" (0 = DCMTK's BCP 195 profile with its own suites, 1 = SSL 3 and newer, 2 = TLS 1.0, 3 =
 * TLS 1.1, 5 = TLS 1.3 only). Any value but 0 makes Orthanc apply DicomTlsCiphersAccepted with OpenSSL's
 * SSL_CTX_set_cipher_list, which governs TLS 1.2 and older only: TLS 1.3 keeps OpenSSL's default suites (AES-GCM and
 * ChaCha20-Poly1305, all BCP 195). TLS 1.3 names are left out of the list on purpose: 1.13.0 routes them to
 * SSL_CTX_set_ciphersuites, but not every release since 1.12.4 is known to, and an Orthanc that does not recognise a
 * name refuses to start.
 */
export const DICOM_TLS_MINIMUM_PROTOCOL_VERSION = 4;
/** TLS 1.2 suites RFC 9325 recommends: ephemeral ECDH key exchange with AEAD ciphers only (no CBC, no static RSA). */
export const DICOM_TLS_CIPHERS = [
    "ECDHE-ECDSA-AES128-GCM-SHA256",
    "ECDHE-ECDSA-AES256-GCM-SHA384",
    "ECDHE-ECDSA-CHACHA20-POLY1305",
    "ECDHE-RSA-AES128-GCM-SHA256",
    "ECDHE-RSA-AES256-GCM-SHA384",
    "ECDHE-RSA-CHACHA20-POLY1305",
];
/**
 * How Orthanc reads a DICOM file without SpecificCharacterSet, and the character set of what it writes itself
 * (C-FIND answers, modified or created instances). UTF-8 rather than Orthanc's default Latin-1: ASCII (the
 * standard's default repertoire) reads the same, a modality that sends UTF-8 without declaring it (the common
 * mistake) is read right, and C-FIND answers can carry Greek, Cyrillic and CJK names, which Latin-1 cannot hold.
 */
export const ORTHANC_DEFAULT_ENCODING = "Utf8";

/** Environment variables the rendered configuration refers to with Orthanc's `${VAR}` substitution. */
export const DB_PASSWORD_ENV = "ORTHANC_DB_PASSWORD";
export const POD_NAME_ENV = "POD_NAME";

export interface OrthancConfigInput {
    /** Shown in Orthanc Explorer and /system. */
    name: string;
    aeTitle: string;
    /** Number of Orthanc processes sharing the database and storage. */
    replicas: number;
    /**
     * Where clients reach the web edge: the public host name, followed by `:<port>` when the edge's HTTPS port is
     * not 443 (node ports). DICOMweb answers carry https://<publicAuthority>/dicom-web/ URLs.
     */
    publicAuthority: string;
    /** Largest HTTP request body Orthanc reads, in MiB: the same limit as the edge's, for in-cluster callers too. */
    maxRequestBodyMiB: number;
    /** The modalities, their AE titles, rights and destinations (DicomModalities). @default none */
    modalities?: ModalityAccess[];
    /** Optional plugins whose configuration sections are rendered (their libraries are in paths.plugins). @default none */
    plugins?: OrthancPluginName[];
    /** Configuration pacstack does not model, deep-merged last (components/orthanc/extra-config.ts). @default {} */
    extraConfig?: Record<string, unknown>;
    /** Other Orthancs it sends to over HTTPS (OrthancPeers); passwords come from the environment. @default none */
    peers?: PeerEndpoint[];
    /** What it sends on by itself: the forwarding script is loaded when there is any. @default none */
    forwarding?: ForwardingRule[];
    /** StableAge: seconds without a new instance before a study is stable (and forwarded). @default 60 */
    stableAgeSeconds?: number;
    /**
     * MaximumStorageSize in MiB (Orthanc's MB), with MaximumStorageMode Reject (Orthanc 1.11.2): a store beyond it is
     * refused, nothing is deleted. @default no ceiling
     */
    maximumStorageMiB?: number;
    paths: {
        /** Folder holding the DICOM files. */
        storage: string;
        /** Shared libraries Orthanc loads (PostgreSQL index, DICOMweb). */
        plugins: string[];
        /** PEM files for DICOM TLS: Orthanc's certificate, its unencrypted key, and the CA clients must chain to. */
        dicomTlsCertificate: string;
        dicomTlsPrivateKey: string;
        dicomTlsTrustedCertificates: string;
        /**
         * PEM file with Orthanc's HTTPS certificate followed by its key (Orthanc reads both from one file). Absent:
         * plain HTTP, which only the tests' loopback Orthanc uses (see tests/harness/real/orthanc.ts).
         */
        httpsCertificate?: string;
        /** The forwarding script (renderForwardingScript) and the peers' CA file (renderPeerCaBundle). */
        forwardingScript: string;
        peerCertificateAuthorities: string;
    };
    database: {
        host: string;
        port: number;
        name: string;
        username: string;
    };
    ports?: { http: number; dicom: number };
}

/**
 * Orthanc's configuration without any credential: it goes to a ConfigMap, so `pulumi preview` shows the
 * real settings. The database password is taken from the environment (`${ORTHANC_DB_PASSWORD}`, filled from
 * a Secret) and the REST users come from renderOrthancCredentials in a second file of the same folder.
 *
 * Versions: every key here is understood by the deployed Orthanc 1.12.11 with PostgreSQL plugin 10.x, and all but
 * two also by Orthanc 1.10.1 with plugin 4.0, the versions the tests run (DatabaseServerIdentifier dates from 1.9.2,
 * DICOM TLS from 1.9.0, SyncStorageArea from 1.7.4). Newer than 1.10, and ignored by the tests' Orthanc:
 * PostgreSQL.TransactionMode (plugin 6.0), MaximumRequestBodySizeMB (Orthanc 1.12.11), DicomTlsMinimumProtocolVersion
 * and DicomTlsCiphersAccepted (1.12.4), MaximumStorageMode (1.11.2; the tests leave these three and MaximumStorageSize,
 * which without Reject would recycle, out of 1.10.1's configuration, see tests/harness/real/orthanc-tiers.ts).
 */
export function renderOrthancConfig(input: OrthancConfigInput): Record<string, unknown> {
    const shared = input.replicas > 1;
    const ports = input.ports ?? { http: ORTHANC_HTTP_PORT, dicom: ORTHANC_DICOM_PORT };
    const config: Record<string, unknown> = {
        Name: input.name,
        HttpPort: ports.http,
        DicomPort: ports.dicom,
        DicomAet: input.aeTitle,
        StorageDirectory: input.paths.storage,
        IndexDirectory: input.paths.storage,
        Plugins: input.paths.plugins,

        // REST API: reachable from the pod network (Traefik), always behind credentials, over HTTPS with a pacstack
        // certificate that Traefik verifies (ServersTransport): credentials and images never cross the pod network
        // in clear.
        RemoteAccessAllowed: true,
        AuthenticationEnabled: true,
        SslEnabled: input.paths.httpsCertificate !== undefined,
        ...(input.paths.httpsCertificate !== undefined ? { SslCertificate: input.paths.httpsCertificate } : {}),
        // Peers (HTTPS only, verified), their passwords from the environment.
        ...renderOrthancPeers(input.peers ?? [], input.paths.peerCertificateAuthorities),
        HttpDescribeErrors: false,
        // Orthanc holds a request body in memory; 1.12.11 caps it at 8 GiB by default (CVE-2026-5440). Capped at the
        // edge's upload limit, a caller inside the cluster cannot send more than one through Traefik.
        MaximumRequestBodySizeMB: input.maxRequestBodyMiB,
        KeepAlive: true,
        // A full volume refuses new instances (C-STORE 0xA700, HTTP 507) instead of failing half-way through a write;
        // "Reject", never Orthanc's default "Recycle", which deletes the oldest patients to make room.
        ...(input.maximumStorageMiB ? { MaximumStorageSize: input.maximumStorageMiB } : {}),
        MaximumStorageMode: "Reject",

        // Orthanc Book, "Security": features that give a REST client more than DICOM data. Lua runs only as the
        // rendered forwarding script (components/orthanc/forwarding.ts), never a script a client sends.
        ExecuteLuaEnabled: false,
        LuaScripts: (input.forwarding ?? []).length > 0 ? [input.paths.forwardingScript] : [],
        StableAge: input.stableAgeSeconds ?? 60,
        RestApiWriteToFileSystemEnabled: false,
        WebDavEnabled: false,
        LimitFindResults: 1000,
        LimitFindInstances: 1000,
        DeidentifyLogs: true,

        // DICOM: TLS only, client certificate from the pacstack CA required, called AE title checked.
        DicomServerEnabled: true,
        DicomCheckCalledAet: true,
        // Rights per calling AE title (DicomModalities); any AE title may store and echo only while a name-only
        // modality (pacstack's earlier form: a certificate, no AE title) is configured.
        ...renderDicomModalities(input.modalities ?? []),
        DicomTlsEnabled: true,
        DicomTlsCertificate: input.paths.dicomTlsCertificate,
        DicomTlsPrivateKey: input.paths.dicomTlsPrivateKey,
        DicomTlsTrustedCertificates: input.paths.dicomTlsTrustedCertificates,
        DicomTlsRemoteCertificateRequired: true,
        DicomTlsMinimumProtocolVersion: DICOM_TLS_MINIMUM_PROTOCOL_VERSION,
        DicomTlsCiphersAccepted: DICOM_TLS_CIPHERS,
        DefaultEncoding: ORTHANC_DEFAULT_ENCODING,

        // Never replace a stored instance silently with a different one carrying the same UIDs.
        OverwriteInstances: false,
        StorageCompression: false,
        // Durability: every DICOM file is fsync()ed before its C-STORE is acknowledged (Orthanc's default since
        // 1.7.4, pinned here because turning it off is the first "speed-up" people try).
        SyncStorageArea: true,
        // Jobs live in one process; with shared replicas they would be resumed by the wrong one.
        SaveJobs: !shared,

        PostgreSQL: {
            EnableIndex: true,
            EnableStorage: false,
            EnableSsl: true,
            Host: input.database.host,
            Port: input.database.port,
            Database: input.database.name,
            Username: input.database.username,
            Password: `\${${DB_PASSWORD_ENV}}`,
            // The lock forbids a second Orthanc on the database: right for one replica, wrong for several.
            Lock: !shared,
            // Bounded (see ORTHANC_INDEX_CONNECTIONS); with plugin >= 7.0 writers on different connections run in
            // parallel under ReadCommitted (its default, pinned). Plugins < 6.0 ignore TransactionMode and serialize.
            IndexConnectionsCount: ORTHANC_INDEX_CONNECTIONS,
            TransactionMode: "ReadCommitted",
            // A lost connection is reopened every ConnectionRetryInterval seconds: 2 s (instead of 5) shortens the
            // outage after a PostgreSQL restart (tests/orthanc/reliability.real.test.ts); 30 x 2 s still waits a
            // minute for the database at startup. MaximumConnectionRetries also bounds the replays of a
            // transaction that hit a transient error (100 ms more between each).
            MaximumConnectionRetries: 30,
            ConnectionRetryInterval: 2,
        },
        DicomWeb: {
            Enable: true,
            Root: "/dicom-web/",
            EnableWado: true,
            WadoRoot: "/wado",
            // Explicit, so that the URLs in answers never come from request headers: DICOMweb 1.7 (Debian 12) reads
            // only `Forwarded`, which Traefik does not send; 1.14+ also X-Forwarded-Host, that is whatever
            // Host header the client sent.
            Host: input.publicAuthority,
            Ssl: true,
        },
    };
    if (shared) {
        // One identifier per pod (the pod name), so each process's events and locks are its own.
        config.DatabaseServerIdentifier = `\${${POD_NAME_ENV}}`;
    }
    Object.assign(config, renderPluginSections(input.plugins ?? []));
    // Validation refuses these before any resource exists; a program calling the renderer directly is held to the same.
    const problems = extraConfigProblems(input.extraConfig ?? {}, "extraConfig");
    if (problems.length > 0) throw new Error(`Orthanc extraConfig refused:\n  - ${problems.join("\n  - ")}`);
    return mergeExtraConfig(config, input.extraConfig ?? {});
}

/** The second configuration file, holding only credentials; it is stored in a Secret. */
export function renderOrthancCredentials(users: Record<string, string>): Record<string, unknown> {
    return { RegisteredUsers: users };
}

/** Serialised form of either document (sorted keys, so the ConfigMap never changes without cause). */
export function orthancJson(document: Record<string, unknown>): string {
    return stableJson(document);
}
