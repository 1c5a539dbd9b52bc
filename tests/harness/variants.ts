/** The stacks and setting combinations every graph-wide test runs over. */
export interface Variant {
    label: string;
    stack: string;
    overrides: Record<string, string | number>;
}

export const VARIANTS: Variant[] = [
    { label: "stack dev (minikube)", stack: "dev", overrides: {} },
    { label: "stack prod (cloud, 2 shared replicas)", stack: "prod", overrides: {} },
    { label: "microk8s", stack: "dev", overrides: { platform: "microk8s", kubeContext: "microk8s" } },
    {
        label: "own web certificate, 3 shared replicas",
        stack: "dev",
        overrides: { webTlsSecret: "hospital-wildcard-tls", orthancReplicas: 3, orthancSharedStorageClass: "nfs-client" },
    },
    // The archive combinations: Orthanc alone is the default of every stack above.
    { label: "dcm4chee only (minikube)", stack: "dev", overrides: { archives: '["dcm4chee"]' } },
    { label: "Orthanc and dcm4chee, dcm4chee first (cloud)", stack: "prod", overrides: { archives: '["orthanc","dcm4chee"]', defaultArchive: "dcm4chee" } },
    {
        label: "both archives, viewer under /viewer (microk8s)",
        stack: "dev",
        overrides: {
            platform: "microk8s",
            archives: '["dcm4chee","orthanc"]',
            viewerPath: "/viewer",
            ohifImage: "registry.example.org/pacstack/ohif-viewer:3.13.2-viewer",
            dcm4cheeAeTitle: "HOSPITAL_PACS",
        },
    },
    {
        label: "Orthanc peer and forwarding (cloud)",
        stack: "prod",
        overrides: {
            modalities: JSON.stringify([{ name: "teaching-pacs", aeTitle: "TEACH", allow: ["echo"], destination: { host: "teach.hospital.org", port: 11112 } }]),
            "orthanc.peers": JSON.stringify([{ name: "research", url: "https://research.hospital.org:8443/orthanc/", username: "pacs-forwarder" }]),
            "orthanc.forwarding": JSON.stringify([{ peer: "research" }, { modality: "teaching-pacs" }]),
        },
    },
    {
        label: "backups to an S3 bucket, both archives (cloud)",
        stack: "prod",
        overrides: {
            archives: '["orthanc","dcm4chee"]',
            "backup.target": "s3",
            "backup.s3": JSON.stringify({
                endpoint: "https://objects.hospital.example:9443",
                bucket: "pacs-backups",
                prefix: "site-a",
                accessKeyId: "AKIAVARIANTEXAMPLE",
                secretAccessKey: "variant-secret-access-key",
            }),
        },
    },
];
