import { PlatformKind } from "./schema";

/** CPU and memory for one container, in Kubernetes quantities. */
export interface ContainerResources {
    requests: { cpu: string; memory: string };
    limits: { cpu: string; memory: string };
}

/** What a platform decides on its own: storage, exposure and sizes. */
export interface PlatformProfile {
    /** Storage class for ReadWriteOnce volumes; undefined means the cluster default. */
    storageClass?: string;
    /** How Traefik's Service is exposed. */
    serviceType: "NodePort" | "LoadBalancer";
    orthancStorageSize: string;
    postgresStorageSize: string;
    resources: {
        orthanc: ContainerResources;
        postgres: ContainerResources;
        traefik: ContainerResources;
        viewer: ContainerResources;
        dcm4cheeArchive: ContainerResources;
        dcm4cheeLdap: ContainerResources;
        dcm4cheeDatabase: ContainerResources;
        keycloak: ContainerResources;
    };
}

/** Node ports used on minikube and MicroK8s, where no load balancer exists. */
export const NODE_PORTS = { web: 30080, websecure: 30443, dicom: 31112, dicomDcm4chee: 31113, hl7Dcm4chee: 32575 } as const;

const SMALL: PlatformProfile["resources"] = {
    // The limit admits one upload at the default uploadLimitMiB (2 GiB): twice the body plus headroom (README: Sizing).
    orthanc: { requests: { cpu: "250m", memory: "512Mi" }, limits: { cpu: "2", memory: "5Gi" } },
    postgres: { requests: { cpu: "250m", memory: "256Mi" }, limits: { cpu: "1", memory: "1Gi" } },
    traefik: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "500m", memory: "256Mi" } },
    viewer: { requests: { cpu: "50m", memory: "32Mi" }, limits: { cpu: "500m", memory: "128Mi" } },
    // Wildfly with the archive deployed needs about 1 GiB of heap and metaspace before any load.
    dcm4cheeArchive: { requests: { cpu: "500m", memory: "1536Mi" }, limits: { cpu: "2", memory: "3Gi" } },
    dcm4cheeLdap: { requests: { cpu: "50m", memory: "64Mi" }, limits: { cpu: "500m", memory: "256Mi" } },
    dcm4cheeDatabase: { requests: { cpu: "250m", memory: "256Mi" }, limits: { cpu: "1", memory: "1Gi" } },
    // Keycloak's JVM (heap at 70 % of the limit) with its distributed caches.
    keycloak: { requests: { cpu: "250m", memory: "768Mi" }, limits: { cpu: "2", memory: "1536Mi" } },
};

const LARGE: PlatformProfile["resources"] = {
    orthanc: { requests: { cpu: "1", memory: "2Gi" }, limits: { cpu: "4", memory: "8Gi" } },
    postgres: { requests: { cpu: "1", memory: "2Gi" }, limits: { cpu: "4", memory: "8Gi" } },
    traefik: { requests: { cpu: "250m", memory: "256Mi" }, limits: { cpu: "1", memory: "512Mi" } },
    viewer: { requests: { cpu: "100m", memory: "64Mi" }, limits: { cpu: "1", memory: "256Mi" } },
    dcm4cheeArchive: { requests: { cpu: "2", memory: "4Gi" }, limits: { cpu: "4", memory: "8Gi" } },
    dcm4cheeLdap: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "1", memory: "512Mi" } },
    dcm4cheeDatabase: { requests: { cpu: "1", memory: "2Gi" }, limits: { cpu: "4", memory: "8Gi" } },
    keycloak: { requests: { cpu: "500m", memory: "1Gi" }, limits: { cpu: "2", memory: "2Gi" } },
};

export const PLATFORM_PROFILES: Record<PlatformKind, PlatformProfile> = {
    minikube: {
        storageClass: "standard",
        serviceType: "NodePort",
        orthancStorageSize: "20Gi",
        postgresStorageSize: "5Gi",
        resources: SMALL,
    },
    microk8s: {
        storageClass: "microk8s-hostpath",
        serviceType: "NodePort",
        orthancStorageSize: "20Gi",
        postgresStorageSize: "5Gi",
        resources: SMALL,
    },
    cloud: {
        serviceType: "LoadBalancer",
        orthancStorageSize: "500Gi",
        postgresStorageSize: "50Gi",
        resources: LARGE,
    },
};
