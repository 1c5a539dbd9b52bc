import * as pulumi from "@pulumi/pulumi";

/** What one leaf certificate is for: its subject, names and key usages. */
export interface LeafSpec {
    /** Short name used in resource and Secret names, e.g. `web`, `dicom`, `database`, `modality-ct1`. */
    id: string;
    commonName: pulumi.Input<string>;
    dnsNames: pulumi.Input<string>[];
    /** "server-client": also presented as a client (the archive's DICOM certificate when it sends, C-MOVE). */
    usage: "server" | "client" | "server-client";
    /** Its Secret also holds CERTIFICATE_AND_KEY_FILE (a server that reads both from one file: Orthanc's HTTPS). */
    bundle?: boolean;
}

export interface CertificatePlanInput {
    domain: pulumi.Input<string>;
    /** Names the database is reached by (its Service names); empty when no database needs a certificate. */
    databaseHosts: string[];
    modalities: string[];
    /**
     * Modalities that also receive over DICOM TLS (a C-MOVE destination): their certificate is also a server one.
     * @default none
     */
    receivingModalities?: string[];
    /** True when the user brings the HTTPS certificate. */
    externalWebCertificate: boolean;
    /**
     * Further in-cluster TLS servers, each a server certificate for the names it is reached by (dcm4chee's LDAP and
     * database, Orthanc's HTTPS). @default none
     */
    services?: ServerCertificate[];
    /**
     * In-cluster names whose HTTPS presents the DICOM certificate (dcm4chee's Wildfly serves HTTPS from the same
     * keystore as DICOM TLS): added to its names so that the edge can verify them.
     * @default none
     */
    dicomServiceHosts?: string[];
}

/** An in-cluster TLS server's certificate: `id` names its Secret (`<platform>-<id>-tls`). */
export interface ServerCertificate {
    id: string;
    /** The names it is reached by; the first is the common name. */
    hosts: string[];
    /**
     * Its Secret also holds CERTIFICATE_AND_KEY_FILE.
     * @default false
     */
    bundle?: boolean;
}

/**
 * Key of a server Secret that holds certificate and private key in one PEM file: Orthanc's HTTPS server
 * (SslCertificate) reads both from one file.
 */
export const CERTIFICATE_AND_KEY_FILE = "tls-bundle.pem";

export const SERVER_USES = ["digital_signature", "key_encipherment", "server_auth"];
export const CLIENT_USES = ["digital_signature", "key_encipherment", "client_auth"];
export const SERVER_CLIENT_USES = ["digital_signature", "key_encipherment", "server_auth", "client_auth"];
/** The allowed uses of a leaf certificate. */
export const LEAF_USES: Record<LeafSpec["usage"], string[]> = { server: SERVER_USES, client: CLIENT_USES, "server-client": SERVER_CLIENT_USES };
export const CA_USES = ["cert_signing", "crl_signing", "digital_signature"];

/**
 * Default validity of leaf certificates; `pulumi up` renews any within earlyRenewalHours of expiry (and only
 * `pulumi up` does: a stack nobody updates lets its certificates expire; see certificateExpiries).
 */
export const LEAF_VALIDITY_HOURS = 24 * 365;
export const LEAF_EARLY_RENEWAL_HOURS = 24 * 30;
export const CA_VALIDITY_HOURS = 24 * 365 * 10;
/** The CA is renewed (same key, so certificates it signed stay valid) by a `pulumi up` in its last year. */
export const CA_EARLY_RENEWAL_HOURS = 24 * 365;

/** How long leaf certificates are valid and how early `pulumi up` renews them. */
export interface CertificateLifetime {
    validityHours: number;
    earlyRenewalHours: number;
}

export const DEFAULT_LIFETIME: CertificateLifetime = { validityHours: LEAF_VALIDITY_HOURS, earlyRenewalHours: LEAF_EARLY_RENEWAL_HOURS };

/**
 * The file of certificates an archive trusts for modalities (Orthanc's DicomTlsTrustedCertificates): each
 * configured modality's own certificate, in name order. Modality certificates are self-signed, so each is its own
 * trust anchor and nothing else (OpenSSL, which Orthanc's DCMTK uses, anchors a chain only at a self-signed
 * certificate): removing a modality from the list makes its certificate useless at the next roll. Orthanc refuses to
 * start on an empty file, so without modalities the file holds `anchorsNothing`, a certificate signed by the
 * pacstack CA (the archive's own DICOM certificate), which anchors no chain.
 */
export function renderModalityTrust(modalityCertificates: Record<string, string | undefined>, anchorsNothing: string | undefined): string {
    const names = Object.keys(modalityCertificates).sort();
    const pems = names.length > 0 ? names.map((name) => modalityCertificates[name]) : [anchorsNothing];
    // A certificate not known yet (a program's unit-test mocks return no certPem) contributes nothing.
    return pems.flatMap((pem) => (pem ? [`${pem.trimEnd()}\n`] : [])).join("");
}

/** The leaf certificates a platform needs, in a stable order. */
export function planCertificates(input: CertificatePlanInput): LeafSpec[] {
    const leaves: LeafSpec[] = [];
    if (!input.externalWebCertificate) {
        leaves.push({ id: "web", commonName: input.domain, dnsNames: [input.domain], usage: "server" });
    }
    // The archive also opens DICOM TLS connections (C-MOVE to a modality, routing), presenting this certificate.
    leaves.push({ id: "dicom", commonName: input.domain, dnsNames: [input.domain, ...(input.dicomServiceHosts ?? [])], usage: "server-client" });
    if (input.databaseHosts.length > 0) {
        leaves.push({ id: "database", commonName: input.databaseHosts[0], dnsNames: [...input.databaseHosts], usage: "server" });
    }
    for (const service of input.services ?? []) {
        if (service.hosts.length === 0) throw new Error(`server certificate ${service.id} names no host`);
        leaves.push({ id: service.id, commonName: service.hosts[0], dnsNames: [...service.hosts], usage: "server", ...(service.bundle ? { bundle: true } : {}) });
    }
    for (const modality of input.modalities) {
        const receives = (input.receivingModalities ?? []).includes(modality);
        leaves.push({ id: `modality-${modality}`, commonName: modality, dnsNames: [], usage: receives ? "server-client" : "client" });
    }
    return leaves;
}

/** The DNS names of a Service inside the cluster, shortest first. */
export function serviceHostNames(service: string, namespace: string): string[] {
    return [service, `${service}.${namespace}`, `${service}.${namespace}.svc`, `${service}.${namespace}.svc.cluster.local`];
}
