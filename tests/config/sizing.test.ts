import assert from "node:assert/strict";
import { PLATFORM_PROFILES } from "../../components/config/platform";
import {
    defaultTemporaryMiB,
    mebibytes,
    millicores,
    orthancStorageCeilingMiB,
    postgresMemorySettings,
    readResources,
    uploadMemoryMiB,
    uploadProblems,
} from "../../components/config/sizing";
import { PlatformConfigError, validatePlatformConfig } from "../../components/config/validate";

const names = { upload: "uploadLimitMiB", memory: "resources.orthanc.limits.memory", temporary: "orthanc.temporarySize" };

describe("config: sizing (resources, upload limit against memory and temporary volume, storage ceiling, PostgreSQL memory)", () => {
    it("reads quantities: sizes in MiB, CPU in millicores, anything else refused", () => {
        assert.deepEqual([mebibytes("512Mi"), mebibytes("2Gi"), mebibytes("1Ti")], [512, 2048, 1048576]);
        assert.deepEqual([mebibytes("2G"), mebibytes("0Gi"), mebibytes("1.5Gi")], [undefined, undefined, undefined]);
        assert.deepEqual([millicores("250m"), millicores("2"), millicores("1.5"), millicores("two")], [250, 2000, 1500, undefined]);
    });

    it("overrides a service's CPU and memory field by field over the platform's profile", () => {
        const profile = PLATFORM_PROFILES.minikube.resources;
        const { resources, problems } = readResources({ orthanc: { limits: { memory: "6Gi" } }, postgres: { requests: { cpu: "500m" } } }, profile);
        assert.deepEqual(problems, []);
        assert.deepEqual(resources.orthanc, { ...profile.orthanc, limits: { ...profile.orthanc.limits, memory: "6Gi" } });
        assert.equal(resources.postgres.requests.cpu, "500m");
        assert.deepEqual(resources.traefik, profile.traefik);
        assert.equal(profile.orthanc.limits.memory, PLATFORM_PROFILES.minikube.resources.orthanc.limits.memory, "the profile itself is untouched");
    });

    it("names every bad service, field and quantity, and a request above its limit", () => {
        const { problems } = readResources(
            { orthnac: {}, orthanc: { limits: { memory: "6GB", gpu: "1" } }, viewer: { request: {} }, traefik: { requests: { cpu: "2" } } },
            PLATFORM_PROFILES.minikube.resources,
        );
        assert.deepEqual(problems, [
            "pacstack:resources.orthnac: unknown service; allowed are orthanc, postgres, traefik, viewer, dcm4cheeArchive, dcm4cheeLdap, dcm4cheeDatabase",
            'pacstack:resources.orthanc.limits.memory = "6GB": must be a memory size like 512Mi or 4Gi',
            'pacstack:resources.orthanc.limits.gpu = "1": allowed are cpu and memory',
            "pacstack:resources.viewer.request = {}: allowed are requests and limits, each {cpu, memory}",
            "pacstack:resources.traefik: requests.cpu 2 exceeds limits.cpu 500m",
        ]);
    });

    it("an upload at the limit must fit Orthanc's memory (twice the body plus headroom) and its temporary volume", () => {
        assert.equal(uploadMemoryMiB(2048), 4608);
        assert.deepEqual(uploadProblems({ uploadLimitMiB: 2048, orthancMemoryLimit: "5Gi", temporarySize: "4Gi", names }), []);
        const [problem, ...more] = uploadProblems({ uploadLimitMiB: 2048, orthancMemoryLimit: "2Gi", temporarySize: "4Gi", names });
        assert.equal(more.length, 0);
        assert.equal(
            problem,
            "pacstack:uploadLimitMiB = 2048: one upload at this limit needs 4608 MiB of Orthanc's memory (twice the body plus 512 MiB) and 2048 MiB of its temporary volume, " +
                "but pacstack:resources.orthanc.limits.memory = 2Gi and pacstack:orthanc.temporarySize = 4Gi; lower the upload limit to at most 768 MiB or raise the others",
        );
        assert.match(uploadProblems({ uploadLimitMiB: 2048, orthancMemoryLimit: "8Gi", temporarySize: "1Gi", names })[0], /at most 1024 MiB/);
        assert.equal(defaultTemporaryMiB(512), 4096);
        assert.equal(defaultTemporaryMiB(4096), 8192);
    });

    it("derives the storage ceiling (90 % of the DICOM volume) and PostgreSQL's memory settings from its limit", () => {
        assert.equal(orthancStorageCeilingMiB("20Gi"), 18432);
        assert.equal(orthancStorageCeilingMiB("500Gi"), 460800);
        assert.deepEqual(postgresMemorySettings("1Gi", 100), { shared_buffers: "256MB", effective_cache_size: "768MB", work_mem: "4MB", maintenance_work_mem: "64MB" });
        assert.deepEqual(postgresMemorySettings("8Gi", 100), { shared_buffers: "2048MB", effective_cache_size: "6144MB", work_mem: "20MB", maintenance_work_mem: "409MB" });
        assert.equal(postgresMemorySettings("64Gi", 100).maintenance_work_mem, "1024MB");
    });

    it("every platform's defaults pass the upload check; an override that breaks it is one error naming the keys, before anything is created", () => {
        for (const platform of ["minikube", "microk8s", "cloud"]) validatePlatformConfig({ platform, domain: "pacs.example.org" } as never);
        assert.throws(
            () => validatePlatformConfig({ platform: "minikube", domain: "pacs.example.org", resources: { orthanc: { limits: { memory: "2Gi" } } } } as never),
            (error: unknown) =>
                error instanceof PlatformConfigError &&
                error.problems.length === 1 &&
                /^pacstack:uploadLimitMiB = 2048: .* pacstack:resources\.orthanc\.limits\.memory = 2Gi and pacstack:orthanc\.temporarySize = 4Gi;/.test(error.problems[0]),
        );
    });
});
