import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";
import { contentChecksum } from "../kube/metadata";
import {
    CA_EARLY_RENEWAL_HOURS,
    CA_USES,
    CA_VALIDITY_HOURS,
    CertificateLifetime,
    DEFAULT_LIFETIME,
    LEAF_USES,
    CERTIFICATE_AND_KEY_FILE,
    LeafSpec,
    ServerCertificate,
    planCertificates,
    renderModalityTrust,
} from "./plan";

export interface CertificatesArgs {
    /** Host name of the web and DICOM endpoints. */
    domain: pulumi.Input<string>;
    /** Namespace the TLS Secrets are created in. */
    namespace: string;
    /** Names the database is reached by; the first is the certificate's common name. Empty: no database certificate. */
    databaseHosts: string[];
    /**
     * Modalities that get a DICOM-TLS client certificate.
     * @default []
     */
    modalities?: string[];
    /**
     * Modalities (among `modalities`) that also receive over DICOM TLS: their certificate is a server one too.
     * @default []
     */
    receivingModalities?: string[];
    /**
     * Further in-cluster TLS servers, each a server certificate (Secret `<name>-<id>-tls`) for the names it is reached by.
     * @default none
     */
    services?: ServerCertificate[];
    /**
     * In-cluster names whose HTTPS presents the DICOM certificate (dcm4chee's Wildfly).
     * @default []
     */
    dicomServiceHosts?: string[];
    /**
     * An existing kubernetes.io/tls Secret (in `namespace`) for HTTPS. When set, no web certificate is issued.
     * @default undefined
     */
    webTlsSecret?: pulumi.Input<string>;
    /**
     * Validity of the leaf certificates and how early `pulumi up` renews them.
     * @default 365 days, renewed in the last 30
     */
    lifetime?: CertificateLifetime;
}

/** A client certificate and its private key, PEM encoded. */
export interface ClientCredential {
    certificatePem: string;
    privateKeyPem: string;
}

/**
 * The pacstack certificate authority and the certificates issued from it, stored as kubernetes.io/tls
 * Secrets (`tls.crt`, `tls.key`, `ca.crt`). Modality certificates are self-signed (each its own trust anchor, see
 * renderModalityTrust) and returned as secret outputs.
 */
export class Certificates extends pulumi.ComponentResource {
    public readonly caCertificatePem: pulumi.Output<string>;
    public readonly webTlsSecretName: pulumi.Input<string>;
    public readonly dicomTlsSecretName: string;
    /** Undefined when no database certificate was asked for. */
    public readonly databaseTlsSecretName: string | undefined;
    public readonly modalityCredentials: pulumi.Output<Record<string, ClientCredential>>;
    /** The Secret of each further TLS server (CertificatesArgs.services), by id. */
    public readonly serviceTlsSecretNames: Record<string, string>;
    /** When each certificate expires (RFC 3339), by id: `ca`, `web`, `dicom`, ..., `modality-<name>`. */
    public readonly expiries: pulumi.Output<Record<string, string>>;
    /** The modality trust file (renderModalityTrust): every configured modality's own certificate. */
    public readonly modalityTrustPem: pulumi.Output<string>;

    /** Certificates (tls.crt and ca.crt, public) of each Secret this component wrote, by Secret name. */
    private readonly secretCertificates: Record<string, pulumi.Output<string>> = {};

    constructor(name: string, args: CertificatesArgs, opts?: pulumi.ComponentResourceOptions) {
        super("pacstack:index:Certificates", name, {}, opts);
        const caKey = new tls.PrivateKey(`${name}-ca`, { algorithm: "RSA", rsaBits: 4096 }, { parent: this });
        const ca = new tls.SelfSignedCert(
            `${name}-ca`,
            {
                privateKeyPem: caKey.privateKeyPem,
                isCaCertificate: true,
                allowedUses: CA_USES,
                validityPeriodHours: CA_VALIDITY_HOURS,
                earlyRenewalHours: CA_EARLY_RENEWAL_HOURS,
                subject: { commonName: pulumi.interpolate`pacstack CA for ${args.domain}`, organization: "pacstack" },
            },
            { parent: this },
        );
        this.caCertificatePem = ca.certPem;

        const lifetime = args.lifetime ?? DEFAULT_LIFETIME;
        const secretNames: Record<string, string> = {};
        const clients: Record<string, pulumi.Output<ClientCredential>> = {};
        const modalityCertificates: Record<string, pulumi.Output<string>> = {};
        const expiries: Record<string, pulumi.Output<string>> = { ca: ca.validityEndTime };
        let dicomCertificate: pulumi.Output<string> | undefined;
        const leaves = planCertificates({
            domain: args.domain,
            databaseHosts: args.databaseHosts,
            modalities: args.modalities ?? [],
            receivingModalities: args.receivingModalities ?? [],
            externalWebCertificate: args.webTlsSecret !== undefined,
            services: args.services ?? [],
            dicomServiceHosts: args.dicomServiceHosts ?? [],
        });
        for (const leaf of leaves) {
            if (leaf.id.startsWith("modality-")) {
                const { key, cert } = this.issueSelfSigned(`${name}-${leaf.id}`, leaf, lifetime);
                const modality = leaf.id.slice("modality-".length);
                modalityCertificates[modality] = cert.certPem;
                expiries[leaf.id] = cert.validityEndTime;
                clients[modality] = pulumi.all([cert.certPem, key.privateKeyPem]).apply(([certificatePem, privateKeyPem]) => ({
                    certificatePem,
                    privateKeyPem,
                }));
                continue;
            }
            const { key, cert } = this.issue(`${name}-${leaf.id}`, leaf, caKey, ca, lifetime);
            expiries[leaf.id] = cert.validityEndTime;
            if (leaf.id === "dicom") dicomCertificate = cert.certPem;
            const secretName = `${name}-${leaf.id}-tls`;
            new k8s.core.v1.Secret(
                secretName,
                {
                    metadata: { name: secretName, namespace: args.namespace },
                    type: "kubernetes.io/tls",
                    stringData: {
                        "ca.crt": ca.certPem,
                        "tls.crt": cert.certPem,
                        "tls.key": pulumi.secret(key.privateKeyPem),
                        ...(leaf.bundle ? { [CERTIFICATE_AND_KEY_FILE]: pulumi.secret(pulumi.concat(cert.certPem, key.privateKeyPem)) } : {}),
                    },
                },
                { parent: this },
            );
            secretNames[leaf.id] = secretName;
            this.secretCertificates[secretName] = pulumi.concat(cert.certPem, ca.certPem);
        }
        this.webTlsSecretName = args.webTlsSecret ?? secretNames.web;
        this.dicomTlsSecretName = secretNames.dicom;
        this.databaseTlsSecretName = secretNames.database;
        this.serviceTlsSecretNames = Object.fromEntries((args.services ?? []).map((service) => [service.id, secretNames[service.id]]));
        this.modalityCredentials = pulumi.secret(pulumi.all(clients));
        this.expiries = pulumi.all(expiries);
        this.modalityTrustPem = pulumi.all([pulumi.all(modalityCertificates), dicomCertificate!]).apply(([certificates, own]) => renderModalityTrust(certificates, own));
        this.registerOutputs({
            caCertificatePem: this.caCertificatePem,
            expiries: this.expiries,
            modalityCredentials: this.modalityCredentials,
        });
    }

    /**
     * SHA-256 of the certificates in these Secrets (public material only), for a pod-template annotation: a renewed
     * certificate changes it, so the pods that mount the Secrets restart and load it. A Secret this component did
     * not write (a user's web certificate) is left out.
     */
    public checksumOf(secretNames: string[]): pulumi.Output<string> {
        const known = [...new Set(secretNames)].sort().filter((secret) => this.secretCertificates[secret]);
        return pulumi.all(known.map((secret) => this.secretCertificates[secret])).apply((pems) => contentChecksum(...known.flatMap((secret, i) => [secret, pems[i]])));
    }

    /** A modality's certificate: self-signed, so that only the archives' list of modality certificates trusts it. */
    private issueSelfSigned(name: string, leaf: LeafSpec, lifetime: CertificateLifetime) {
        const key = new tls.PrivateKey(name, { algorithm: "RSA", rsaBits: 2048 }, { parent: this });
        const cert = new tls.SelfSignedCert(
            name,
            {
                privateKeyPem: key.privateKeyPem,
                subject: { commonName: leaf.commonName, organization: "pacstack" },
                allowedUses: LEAF_USES[leaf.usage],
                validityPeriodHours: lifetime.validityHours,
                earlyRenewalHours: lifetime.earlyRenewalHours,
            },
            { parent: this },
        );
        return { key, cert };
    }

    private issue(name: string, leaf: LeafSpec, caKey: tls.PrivateKey, ca: tls.SelfSignedCert, lifetime: CertificateLifetime) {
        const key = new tls.PrivateKey(name, { algorithm: "RSA", rsaBits: 2048 }, { parent: this });
        const request = new tls.CertRequest(
            name,
            {
                privateKeyPem: key.privateKeyPem,
                subject: { commonName: leaf.commonName, organization: "pacstack" },
                dnsNames: leaf.dnsNames,
            },
            { parent: this },
        );
        const cert = new tls.LocallySignedCert(
            name,
            {
                certRequestPem: request.certRequestPem,
                caPrivateKeyPem: caKey.privateKeyPem,
                caCertPem: ca.certPem,
                allowedUses: LEAF_USES[leaf.usage],
                validityPeriodHours: lifetime.validityHours,
                earlyRenewalHours: lifetime.earlyRenewalHours,
            },
            { parent: this },
        );
        return { key, cert };
    }
}
