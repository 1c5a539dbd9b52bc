import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { serviceHostNames } from "../certificates/plan";
import * as random from "@pulumi/random";
import { ContainerResources } from "../config/platform";
import { ImageRef, imageReference } from "../config/image";
import { allowTraffic } from "../kube/network-policy";
import { appLabels, contentChecksum } from "../kube/metadata";
import { createNetworkPolicies } from "../kube/resources";
import { PEM_TO_PKCS12_JAVA } from "./keystore";
import { renderArchiveEnv, renderDatabaseArgs, renderDatabaseEnv, renderLdapEnv } from "./env";
import { DATABASE, DCM4CHEE_APP, LDAP_STORAGE_SIZE, PORTS, SCRIPT_FILES, SECRET_KEYS, UIDS, archivePaths, dcm4cheeServiceNames } from "./paths";
import { DatabaseBackup } from "../backup/backup";
import { S3Target } from "../config/backup-target";
import { KeptSecrets, keptOrGenerated } from "../kube/kept-secrets";
import { Publication, Publishing, Workload } from "../publish/published";
import { dcm4cheePublication } from "./publication";
import { archiveImageFor, renderArchiveSignInEnv } from "./sign-in";
import { renderArchiveStartScript, renderDatabaseHba, renderLdapStartScript, renderLdifFilter } from "./scripts";
import {
    renderArchiveStatefulSet,
    renderDatabaseStatefulSet,
    renderDcm4cheeService,
    renderLdapStatefulSet,
} from "./workload";

/** The LDAP base DN and device name of the images' default configuration. */
export const LDAP_BASE_DN = "dc=dcm4che,dc=org";
export const ARCHIVE_DEVICE_NAME = "dcm4chee-arc";

export interface Dcm4cheeArgs {
    namespace: string;
    images: { archive: ImageRef; ldap: ImageRef; database: ImageRef };
    /**
     * The archive's DICOM AE title (also in its DICOMweb path).
     * @default "DCM4CHEE"
     */
    aeTitle?: string;
    /** Public host name: LDAP's ARCHIVE_HOST and the host of the viewer links. */
    publicHost: pulumi.Input<string>;
    /** Viewer URL for one study, with `{{studyUID}}` in place of the Study Instance UID. */
    studyViewerUrl: pulumi.Input<string>;
    storage: {
        /** DICOM files and Wildfly's standalone folder. */
        size: string;
        databaseSize: string;
        /** @default the cluster's default storage class */
        storageClass?: pulumi.Input<string>;
    };
    resources: { archive: ContainerResources; ldap: ContainerResources; database: ContainerResources };
    /**
     * kubernetes.io/tls Secret (with ca.crt) for DICOM TLS and HL7 over TLS; client certificates must chain to ca.crt,
     * which also verifies the LDAP and database certificates.
     */
    dicomTlsSecretName: string;
    /**
     * kubernetes.io/tls Secrets of LDAP and the database, issued by the same CA for their Services' names
     * (dcm4cheeServiceNames; LDAP's also for localhost, which its readiness probe connects to).
     */
    serverTlsSecretNames: { ldap: string; database: string };
    /**
     * The modalities' own certificates (Certificates.modalityTrustPem), trusted for DICOM and HL7 over TLS besides
     * the CA; the archive reads them at start, and a change rolls it.
     */
    trustedModalitiesPem: pulumi.Input<string>;
    /**
     * Per service, the checksum of the certificates it mounts (Certificates.checksumOf): a renewal rolls its pod.
     * @default none (a renewed certificate is served after the next restart)
     */
    certificatesChecksums?: { ldap?: pulumi.Input<string>; database?: pulumi.Input<string>; archive?: pulumi.Input<string> };
    /**
     * Scheduled dumps of the archive's database (components/backup), onto a claim of `storageSize` kept on destroy
     * and adopted through `keptObjectProvider`.
     * @default none
     */
    backup?: { schedule: string; retention: number; storageSize: string; s3?: S3Target; keptObjectProvider?: k8s.Provider };
    /**
     * Provider of the credentials Secret, kept on destroy with the LDAP and database volumes and adopted again.
     * @default the parent's provider
     */
    keptObjectProvider?: k8s.Provider;
    /** A kept credentials Secret's values win over newly generated ones (README: Redeploy onto kept data). @default none */
    keptSecrets?: KeptSecrets;
    /**
     * Single sign-on: the archive runs its `-secure-ui` image, whose UI signs in at this Keycloak (pacstack's realm,
     * its UI client), and reaches Keycloak's pods in the cluster. @default none (the plain image, edge login only)
     */
    signIn?: { keycloakInternalUrl: string; keycloakPublicUrl: pulumi.Input<string>; keycloak: Workload & { port: number } };
}

/**
 * dcm4chee-arc-light as its three services: OpenLDAP (configuration), PostgreSQL (index) and the archive
 * (Wildfly), each a one-pod StatefulSet whose claims are retained, with generated passwords in one Secret,
 * NetworkPolicies that let only the archive reach LDAP and PostgreSQL, and DICOM-TLS with pacstack's CA.
 */
export class Dcm4chee extends pulumi.ComponentResource implements Publishing {
    public readonly serviceName: string;
    public readonly httpsPort = PORTS.https;
    public readonly dicomTlsPort = PORTS.dicomTls;
    public readonly aeTitle: string;
    public readonly paths: ReturnType<typeof archivePaths>;
    /** Labels that select the archive pod (for NetworkPolicies). */
    public readonly podLabels: Record<string, string>;
    /** Its webapp route and DICOM-TLS entrypoint (see dcm4cheePublication). */
    public readonly published: Publication;

    constructor(name: string, args: Dcm4cheeArgs, opts?: pulumi.ComponentResourceOptions) {
        super("pacstack:index:Dcm4chee", name, {}, opts);
        this.aeTitle = args.aeTitle ?? "DCM4CHEE";
        this.serviceName = name;
        this.paths = archivePaths(this.aeTitle);
        this.podLabels = { "app.kubernetes.io/instance": name, "app.kubernetes.io/name": DCM4CHEE_APP.archive };
        const names = dcm4cheeServiceNames(name);
        const pods = {
            ldap: { namespace: args.namespace, podLabels: { "app.kubernetes.io/instance": names.ldap, "app.kubernetes.io/name": DCM4CHEE_APP.ldap } },
            database: { namespace: args.namespace, podLabels: { "app.kubernetes.io/instance": names.database, "app.kubernetes.io/name": DCM4CHEE_APP.database } },
            archive: { namespace: args.namespace, podLabels: this.podLabels },
        };
        const parent = { parent: this };
        const labels = appLabels(DCM4CHEE_APP.archive, name);

        const passwords = Object.fromEntries(
            Object.entries(SECRET_KEYS).map(([key, secretKey]) => [
                secretKey,
                keptOrGenerated(
                    args.keptSecrets,
                    { namespace: args.namespace, name: `${name}-credentials`, key: secretKey },
                    new random.RandomPassword(`${name}-${key.toLowerCase()}`, { length: 32, special: false }, parent).result,
                ),
            ]),
        );
        // LDAP's and the database's volumes outlive `pulumi destroy` and know these passwords: so does their Secret.
        const credentials = new k8s.core.v1.Secret(
            `${name}-credentials`,
            { metadata: { labels, name: `${name}-credentials`, namespace: args.namespace }, type: "Opaque", stringData: passwords },
            { ...parent, retainOnDelete: true, ...(args.keptObjectProvider ? { provider: args.keptObjectProvider } : {}) },
        );
        const scripts = {
            [SCRIPT_FILES.ldap]: renderLdapStartScript(),
            [SCRIPT_FILES.ldifFilter]: renderLdifFilter(),
            [SCRIPT_FILES.archive]: renderArchiveStartScript(),
            [SCRIPT_FILES.keystore]: PEM_TO_PKCS12_JAVA,
            [SCRIPT_FILES.pgHba]: renderDatabaseHba(),
        };
        const checksums = args.certificatesChecksums ?? {};
        const scriptsMap = new k8s.core.v1.ConfigMap(
            `${name}-scripts`,
            { metadata: { labels, name: `${name}-scripts`, namespace: args.namespace }, data: { ...scripts, [SCRIPT_FILES.trustedModalities]: args.trustedModalitiesPem } },
            parent,
        );
        // The public host reaches the LDAP and archive environments (and their checksums) once it is known.
        const wiring = pulumi.all([args.publicHost, args.studyViewerUrl, args.trustedModalitiesPem, checksums.ldap ?? "", checksums.database ?? "", checksums.archive ?? "", args.signIn?.keycloakPublicUrl ?? ""]).apply(
            ([publicHost, studyViewerUrl, trustedModalities, ldapCertificates, databaseCertificates, archiveCertificates, keycloakPublicUrl]) => ({
            keycloakPublicUrl,
            aeTitle: this.aeTitle,
            publicHost,
            studyViewerUrl,
            ldapHost: `${names.ldap}.${args.namespace}.svc.cluster.local`,
            databaseHost: `${names.database}.${args.namespace}.svc.cluster.local`,
            trustedModalities,
            certificates: { ldap: ldapCertificates, database: databaseCertificates, archive: archiveCertificates },
        }));
        const common = {
            namespace: args.namespace,
            scriptsConfigMap: `${name}-scripts`,
            credentialsSecret: `${name}-credentials`,
        };
        const accounts = Object.values(names).map(
            (account) =>
                new k8s.core.v1.ServiceAccount(account, { metadata: { labels, name: account, namespace: args.namespace }, automountServiceAccountToken: false }, parent),
        );
        const after = { ...parent, dependsOn: [...accounts, credentials, scriptsMap] };

        const ldap = wiring.apply((known) => {
            const env = renderLdapEnv(known);
            return renderLdapStatefulSet({
                ...common,
                name: names.ldap,
                image: imageReference(args.images.ldap),
                resources: args.resources.ldap,
                env,
                scriptsChecksum: contentChecksum(scripts[SCRIPT_FILES.ldap], scripts[SCRIPT_FILES.ldifFilter], JSON.stringify(env)),
                storage: { size: LDAP_STORAGE_SIZE, storageClass: args.storage.storageClass },
                baseDn: LDAP_BASE_DN,
                deviceName: ARCHIVE_DEVICE_NAME,
                secretKeys: [SECRET_KEYS.ldapRoot, SECRET_KEYS.ldapConfig],
                tlsSecret: args.serverTlsSecretNames.ldap,
                ...(known.certificates.ldap ? { certificatesChecksum: known.certificates.ldap } : {}),
            });
        });
        new k8s.apps.v1.StatefulSet(names.ldap, { metadata: ldap.metadata, spec: ldap.spec }, after);
        const databaseEnv = renderDatabaseEnv();
        const databaseArgs = renderDatabaseArgs();
        const database = wiring.apply((known) =>
            renderDatabaseStatefulSet({
                ...common,
                name: names.database,
                image: imageReference(args.images.database),
                resources: args.resources.database,
                env: databaseEnv,
                scriptsChecksum: contentChecksum(JSON.stringify(databaseEnv), JSON.stringify(databaseArgs), scripts[SCRIPT_FILES.pgHba]),
                storage: { size: args.storage.databaseSize, storageClass: args.storage.storageClass },
                secretKeys: [SECRET_KEYS.database],
                tlsSecret: args.serverTlsSecretNames.database,
                args: databaseArgs,
                ...(known.certificates.database ? { certificatesChecksum: known.certificates.database } : {}),
            }),
        );
        new k8s.apps.v1.StatefulSet(names.database, { metadata: database.metadata, spec: database.spec }, after);
        const archive = wiring.apply((known) => {
            const signInEnv = args.signIn ? renderArchiveSignInEnv({ keycloakInternalUrl: args.signIn.keycloakInternalUrl, keycloakPublicUrl: known.keycloakPublicUrl }) : [];
            const env = [...renderArchiveEnv(known), ...signInEnv];
            return renderArchiveStatefulSet({
                ...common,
                name: names.archive,
                image: imageReference(archiveImageFor(args.images.archive, args.signIn !== undefined)),
                resources: args.resources.archive,
                env,
                scriptsChecksum: contentChecksum(scripts[SCRIPT_FILES.archive], scripts[SCRIPT_FILES.keystore], JSON.stringify(env), known.trustedModalities),
                storage: { size: args.storage.size, storageClass: args.storage.storageClass },
                aeTitle: this.aeTitle,
                dicomTlsSecret: args.dicomTlsSecretName,
                secretKeys: [SECRET_KEYS.ldapRoot, SECRET_KEYS.database, SECRET_KEYS.keystore],
                ...(known.certificates.archive ? { certificatesChecksum: known.certificates.archive } : {}),
            });
        });
        new k8s.apps.v1.StatefulSet(names.archive, { metadata: archive.metadata, spec: archive.spec }, after);
        new k8s.core.v1.Service(names.ldap, renderDcm4cheeService("ldap", { name: names.ldap, namespace: args.namespace }, [{ name: "ldaps", port: PORTS.ldaps, targetPort: "ldaps" }]), parent);
        new k8s.core.v1.Service(
            names.database,
            renderDcm4cheeService("database", { name: names.database, namespace: args.namespace }, [{ name: "postgres", port: PORTS.postgres, targetPort: "postgres" }]),
            parent,
        );
        new k8s.core.v1.Service(
            names.archive,
            renderDcm4cheeService("archive", { name: names.archive, namespace: args.namespace }, [
                { name: "https", port: PORTS.https, targetPort: "https" },
                { name: "dicom-tls", port: PORTS.dicomTls, targetPort: "dicom-tls" },
                { name: "hl7-tls", port: PORTS.hl7Tls, targetPort: "hl7-tls" },
            ]),
            parent,
        );
        if (args.backup) {
            new DatabaseBackup(
                `${names.database}-backup`,
                {
                    namespace: args.namespace,
                    image: imageReference(args.images.database),
                    uid: UIDS.database,
                    schedule: args.backup.schedule,
                    retention: args.backup.retention,
                    database: {
                        host: `${names.database}.${args.namespace}.svc.cluster.local`,
                        port: PORTS.postgres,
                        username: DATABASE.user,
                        passwordSecret: { name: `${name}-credentials`, key: SECRET_KEYS.database },
                        databases: [DATABASE.name],
                        pods: pods.database,
                    },
                    tlsSecretName: args.serverTlsSecretNames.database,
                    storage: { size: args.backup.storageSize, storageClass: args.storage.storageClass },
                    ...(args.backup.s3 ? { s3: args.backup.s3 } : {}),
                    keptObjectProvider: args.backup.keptObjectProvider,
                },
                { ...parent, dependsOn: [credentials] },
            );
        }
        // Only the archive talks to its configuration directory and its database (LDAP allows anonymous reads).
        createNetworkPolicies(this, name, [
            ...allowTraffic("dcm4chee-to-ldap", pods.archive, pods.ldap, [{ port: PORTS.ldapsContainer }]),
            ...allowTraffic("dcm4chee-to-db", pods.archive, pods.database, [{ port: PORTS.postgres }]),
        ]);
        this.published = dcm4cheePublication({
            service: this.serviceName,
            pods: pods.archive,
            https: { serverName: serviceHostNames(this.serviceName, args.namespace)[2], caSecretName: args.dicomTlsSecretName },
            keycloak: args.signIn?.keycloak,
        });
        this.registerOutputs({ serviceName: this.serviceName });
    }
}
