import assert from "node:assert/strict";
import { renderModalityTrust } from "../../components/certificates/plan";
import { readCertificateLifetime } from "../../components/config/lifecycle";
import { PlatformConfigError, validatePlatformConfig } from "../../components/config/validate";
import { CERTIFICATES_CHECKSUM_ANNOTATION, contentChecksum } from "../../components/kube/metadata";
import { PlanResult, byType, one, planStack } from "../harness/plan-runner";
import { VARIANTS } from "../harness/variants";

const K = {
    configMap: "kubernetes:core/v1:ConfigMap",
    deployment: "kubernetes:apps/v1:Deployment",
    statefulSet: "kubernetes:apps/v1:StatefulSet",
    secret: "kubernetes:core/v1:Secret",
    release: "kubernetes:helm.sh/v3:Release",
    signedCert: "tls:index/locallySignedCert:LocallySignedCert",
    selfSignedCert: "tls:index/selfSignedCert:SelfSignedCert",
};
const inputs = (r: { inputs: Record<string, unknown> }) => r.inputs as any;
const pem = (name: string) => `-----BEGIN CERTIFICATE-----\n${name}\n-----END CERTIFICATE-----\n`;

/**
 * What Certificates.checksumOf must give for these Secrets: SHA-256 over each Secret's name, tls.crt and ca.crt. The
 * plan shows a Secret's data as "[secret]", so the certificates are the mocks' (tls.crt of `<name>-tls` is the
 * certificate resource `<name>`'s, ca.crt the CA's).
 */
function expectedChecksum(plan: PlanResult, secretNames: string[]): string {
    const names = [...secretNames].sort();
    for (const name of names) assert.equal(one(plan, K.secret, name).type, K.secret);
    return contentChecksum(...names.flatMap((name) => [name, pem(name.replace(/-tls$/, "")) + pem("pacstack-ca")]));
}

describe("certificates: lifecycle (renewal window, expiries, restarts, per-certificate modality trust)", function () {
    this.timeout(600_000);

    describe("pure parts", () => {
        it("the modality trust file lists every modality's own certificate in name order, and never is empty", () => {
            assert.equal(renderModalityTrust({ workstation: pem("ws"), "ct-scanner": pem("ct").trimEnd() }, pem("own")), pem("ct") + pem("ws"));
            // Orthanc refuses to start on an empty file: the archive's own CA-signed certificate anchors no chain.
            assert.equal(renderModalityTrust({}, pem("own")), pem("own"));
        });

        it("validates validity and renewal window together: the window is at least a day and shorter than the validity", () => {
            const name = (field: string) => `certificates.${field}`;
            assert.deepEqual(readCertificateLifetime(90, 20, name), { lifetime: { validityHours: 2160, earlyRenewalHours: 480 }, problems: [] });
            assert.match(readCertificateLifetime(30, 30, name).problems[0], /certificates\.renewBeforeDays = 30: must be at least 1 and less than pacstack:certificates\.validityDays \(30\)/);
            assert.match(readCertificateLifetime(30, 0, name).problems[0], /renewBeforeDays = 0/);
            assert.match(readCertificateLifetime(1, 0, name).problems[0], /certificates\.validityDays = 1: must be an integer from 2 to 1825/);
            assert.match(readCertificateLifetime(4000, 30, name).problems[0], /validityDays = 4000/);
        });

        it("refuses a renewal window as long as the validity in one clear error, before anything is created", () => {
            assert.throws(
                () => validatePlatformConfig({ platform: "minikube", domain: "pacs.example.org", certificates: { validityDays: 60, renewBeforeDays: 90 } }),
                (error: unknown) => error instanceof PlatformConfigError && error.problems.length === 1 && /pacstack:certificates\.renewBeforeDays = 90/.test(error.problems[0]),
            );
        });
    });

    describe("the whole program under Pulumi mocks", () => {
        let dev: PlanResult;
        let shortLived: PlanResult;
        let both: PlanResult;
        let noModalities: PlanResult;
        before(async () => {
            const bothArchives = VARIANTS.find((v) => v.label.startsWith("Orthanc and dcm4chee"))!;
            [dev, shortLived, both, noModalities] = await Promise.all([
                planStack("dev"),
                planStack("dev", { "certificates.validityDays": 90, "certificates.renewBeforeDays": 20 }),
                planStack(bothArchives.stack, bothArchives.overrides),
                planStack("dev", { modalities: "[]" }),
            ]);
            for (const plan of [dev, shortLived, both, noModalities]) assert.equal(plan.code, 0, plan.stderr);
        });

        it("every leaf is renewed by a pulumi up within the window (default 30 of 365 days, or as configured); the CA in its last year", () => {
            const leaves = (plan: PlanResult) => [...byType(plan, K.signedCert), ...byType(plan, K.selfSignedCert).filter((c) => c.name !== "pacstack-ca")];
            assert.ok(leaves(dev).length >= 6);
            for (const cert of leaves(dev)) assert.deepEqual([inputs(cert).validityPeriodHours, inputs(cert).earlyRenewalHours], [8760, 720], cert.name);
            for (const cert of leaves(shortLived)) assert.deepEqual([inputs(cert).validityPeriodHours, inputs(cert).earlyRenewalHours], [2160, 480], cert.name);
            const ca = inputs(one(dev, K.selfSignedCert, "pacstack-ca"));
            assert.deepEqual([ca.validityPeriodHours, ca.earlyRenewalHours, ca.isCaCertificate], [87600, 8760, true]);
        });

        it("exports the expiry of every certificate it issued, by id", () => {
            const ids = Object.keys(shortLived.outputs.certificateExpiries as Record<string, string>).sort();
            assert.deepEqual(ids, ["ca", "database", "dicom", "modality-ct-scanner", "modality-workstation", "orthanc-https", "session-store", "web"]);
            assert.equal((shortLived.outputs.certificateExpiries as Record<string, string>).web, "2026-04-01T00:00:00Z", "90 days after the mocks' start");
        });

        it("modality certificates are self-signed, and Orthanc trusts exactly them (not the CA) for DICOM TLS", () => {
            for (const name of ["pacstack-modality-ct-scanner", "pacstack-modality-workstation"]) {
                const cert = inputs(one(dev, K.selfSignedCert, name));
                assert.equal(cert.isCaCertificate, undefined, name);
                assert.ok(cert.allowedUses.includes("client_auth"));
            }
            const data = inputs(one(dev, K.configMap, "pacstack-orthanc-config")).data;
            assert.equal(JSON.parse(data["orthanc.json"]).DicomTlsTrustedCertificates, "/etc/pacstack/orthanc/trusted-modalities.pem");
            assert.equal(data["trusted-modalities.pem"], pem("pacstack-modality-ct-scanner") + pem("pacstack-modality-workstation"));
            const without = inputs(one(noModalities, K.configMap, "pacstack-orthanc-config")).data;
            assert.equal(without["trusted-modalities.pem"], pem("pacstack-dicom"), "no modality: a certificate that anchors nothing");
            // dcm4chee's trust store gets the same list besides the CA.
            const bothTrust = inputs(one(both, K.configMap, "pacstack-orthanc-config")).data["trusted-modalities.pem"];
            assert.equal(inputs(one(both, K.configMap, "pacstack-dcm4chee-scripts")).data["trusted-modalities.pem"], bothTrust);
            assert.match(bothTrust, /pacstack-modality-/);
        });

        it("a removed modality leaves the trust file, and Orthanc's configuration checksum rolls the pods", () => {
            const checksum = (plan: PlanResult) => inputs(one(plan, K.deployment, "pacstack-orthanc")).spec.template.metadata.annotations["pacstack.io/config-checksum"];
            const trust = inputs(one(noModalities, K.configMap, "pacstack-orthanc-config")).data["trusted-modalities.pem"] as string;
            assert.ok(!trust.includes("pacstack-modality-"));
            assert.notEqual(checksum(noModalities), checksum(dev));
        });

        it("every pod that mounts a pacstack certificate carries the SHA-256 of the certificates (never a key), so a renewal restarts it", () => {
            const annotation = (template: any) => template.metadata.annotations[CERTIFICATES_CHECKSUM_ANNOTATION];
            const orthanc = inputs(one(dev, K.deployment, "pacstack-orthanc")).spec.template;
            assert.equal(annotation(orthanc), expectedChecksum(dev, ["pacstack-dicom-tls", "pacstack-orthanc-https-tls"]));
            const postgres = inputs(one(dev, K.release, "pacstack-postgresql")).values.primary.podAnnotations;
            assert.equal(postgres[CERTIFICATES_CHECKSUM_ANNOTATION], expectedChecksum(dev, ["pacstack-database-tls"]));
            const archive = inputs(one(both, K.statefulSet, "pacstack-dcm4chee")).spec.template;
            assert.equal(annotation(archive), expectedChecksum(both, ["pacstack-dicom-tls"]));
            for (const [name, secret] of [["pacstack-dcm4chee-ldap", "pacstack-dcm4chee-ldap-tls"], ["pacstack-dcm4chee-db", "pacstack-dcm4chee-db-tls"]]) {
                const template = inputs(one(both, K.statefulSet, name)).spec.template;
                const mounted = template.spec.volumes.find((v: any) => v.name === "server-tls").secret.secretName;
                assert.equal(mounted, secret);
                assert.equal(annotation(template), expectedChecksum(both, [secret]), name);
            }
            const store = inputs(one(dev, K.deployment, "pacstack-session-store")).spec.template;
            assert.equal(annotation(store), expectedChecksum(dev, ["pacstack-session-store-tls"]));
            for (const value of [annotation(orthanc), annotation(archive), annotation(store)]) assert.match(value, /^[0-9a-f]{64}$/);
        });
    });
});
