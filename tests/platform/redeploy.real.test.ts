import assert from "node:assert/strict";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { kubectlKeptSecrets } from "../../components/kube/kept-secrets";
import { renderOrthancCredentials } from "../../components/orthanc/config";
import { renderDeployedOrthancConfig } from "../../components/orthanc/deployed-config";
import { renderPgHba } from "../../components/postgres/values";
import { startKubeApiServer, KubeApiServer } from "../harness/kube/apiserver";
import { pinnedTools } from "../harness/kube/tools";
import { PlanResult, one, planStack } from "../harness/plan-runner";
import { requireBinary } from "../harness/real/binaries";
import { countInstances } from "../harness/real/instances";
import { OrthancServer, startOrthanc } from "../harness/real/orthanc";
import { orthancTier, OrthancTier, tierWorkDir } from "../harness/real/orthanc-tiers";
import { pacstackPostgresSettings } from "../harness/real/pacstack-postgres";
import { createTestPki, TestPki } from "../harness/real/pki";
import { PostgresServer, psqlClient, startPostgres } from "../harness/real/postgres";
import { freePort, stopAllProcesses } from "../harness/real/processes";
import { PRODUCTION_ORTHANC_INPUT } from "../harness/real/production";
import { ctFile, newUid } from "../harness/real/synthetic";

const NAMESPACE = "pacstack";
const CREDENTIALS = "pacstack-postgresql-credentials";

/** The database password the plan's Orthanc Deployment gets (its secretKeyRef, resolved in the plan's own Secrets). */
function orthancDatabasePassword(plan: PlanResult): string {
    const container = (one(plan, "kubernetes:apps/v1:Deployment", "pacstack-orthanc").inputs as any).spec.template.spec.containers[0];
    const ref = container.env.find((e: any) => e.name === "ORTHANC_DB_PASSWORD").valueFrom.secretKeyRef;
    return plan.keptSecrets[`${NAMESPACE}/${ref.name}`][ref.key];
}

/**
 * `pulumi destroy` then `pulumi up` onto the kept data, with the real software: deployment 1's plan gives the
 * credentials Secret the cluster keeps (applied to a real kube-apiserver), a PostgreSQL is initialised with it as the
 * chart's first start does (role and database, pacstack's settings and pg_hba.conf) and Orthanc stores a study;
 * deployment 2 (new generated values: the state is gone) reads the kept Secret with kubectl from the API server, and
 * Orthanc with deployment 2's rendered password logs in and serves the study. Without the kept Secret, deployment
 * 2's password is refused.
 */
describe("redeploy onto kept data: deployment 2's Orthanc logs into deployment 1's PostgreSQL (kube-apiserver, kubectl, PostgreSQL, Orthanc 1.10.1)", function () {
    this.timeout(180_000);
    let api: KubeApiServer;
    let kubectl: string;
    let work: string;
    let podsDir: string;
    let tier: OrthancTier;
    let pki: TestPki;
    let postgres: PostgresServer;
    let first: PlanResult;

    before(async function () {
        this.timeout(30 * 60_000); // the pinned tools are built on first use
        ["openssl", "runuser"].forEach((tool) => requireBinary(tool));
        tier = orthancTier("debian12");
        kubectl = (await pinnedTools()).kubectl;
        [api, first] = await Promise.all([startKubeApiServer(), planStack("dev")]);
        assert.equal(first.code, 0, first.stderr);
        work = mkdtempSync(join(tmpdir(), "pacstack-redeploy-"));
        chmodSync(work, 0o711);
        podsDir = tierWorkDir(tier, "pacstack-redeploy-");
        pki = await createTestPki(join(work, "pki"));
        postgres = await startPostgres({
            dir: join(work, "postgres"),
            port: await freePort(),
            tls: { cert: pki.server.cert, key: pki.server.key },
            logName: "redeploy-postgres",
            settings: pacstackPostgresSettings(),
            hba: renderPgHba(),
        });
    });

    after(async function () {
        await api?.stop();
        await stopAllProcesses();
        for (const dir of [work, podsDir]) if (dir) rmSync(dir, { recursive: true, force: true });
    });

    /** What `pulumi destroy` leaves: deployment 1's kept Secrets, in the cluster. */
    async function keepDeploymentOnesSecrets(): Promise<void> {
        await api.apply({ apiVersion: "v1", kind: "Namespace", metadata: { name: NAMESPACE } });
        for (const [at, stringData] of Object.entries(first.keptSecrets)) {
            const [namespace, name] = at.split("/");
            await api.apply({ apiVersion: "v1", kind: "Secret", metadata: { name, namespace }, type: "Opaque", stringData } as any);
        }
    }

    async function orthancWith(password: string, root: string, logName: string, waitReady = true): Promise<OrthancServer> {
        return startOrthanc({
            production: renderDeployedOrthancConfig(PRODUCTION_ORTHANC_INPUT),
            credentials: renderOrthancCredentials({ admin: "admin-password" }),
            target: { root: join(podsDir, root), httpPort: await freePort(), dicomPort: await freePort(), database: { host: "127.0.0.1", port: postgres.port }, tier },
            tls: { certPem: pki.server.certPem, keyPem: pki.server.keyPem, caPem: pki.ca.certPem },
            dbPassword: password,
            logName,
            waitReady,
        });
    }

    it("kubectl reads a kept Secret's values, nothing for a missing one, and fails loudly when the cluster cannot answer", async () => {
        const reader = kubectlKeptSecrets({ kubeconfig: api.kubeconfigPath }, kubectl);
        assert.equal(await reader.read(NAMESPACE, CREDENTIALS), undefined, "nothing kept before the first deployment");
        assert.equal(await reader.read("no-such-namespace", CREDENTIALS), undefined);
        await keepDeploymentOnesSecrets();
        const again = kubectlKeptSecrets({ kubeconfig: api.kubeconfigPath }, kubectl);
        assert.deepEqual(await again.read(NAMESPACE, CREDENTIALS), first.keptSecrets[`${NAMESPACE}/${CREDENTIALS}`]);
        const badToken = join(work, "bad-kubeconfig");
        writeFileSync(badToken, JSON.stringify({ ...JSON.parse(readFileSync(api.kubeconfigPath, "utf8")), users: [{ name: "admin", user: { token: "wrong" } }] }));
        await assert.rejects(kubectlKeptSecrets({ kubeconfig: badToken }, kubectl).read(NAMESPACE, CREDENTIALS), /pacstack-postgresql-credentials.*Unauthorized/s);
        await assert.rejects(kubectlKeptSecrets({ kubeconfig: api.kubeconfigPath, context: "no-such-context" }, kubectl).read(NAMESPACE, CREDENTIALS), /no-such-context/);
    });

    it("PostgreSQL initialised by deployment 1 accepts deployment 2's Orthanc, which serves deployment 1's study", async () => {
        // The chart's first start: the application role and its database, with the password in deployment 1's Secret.
        const firstPassword = first.keptSecrets[`${NAMESPACE}/${CREDENTIALS}`].password;
        assert.equal(orthancDatabasePassword(first), firstPassword);
        await postgres.createRoleAndDatabase("orthanc", "orthanc", firstPassword);
        const one1 = await orthancWith(firstPassword, "pod-1", "redeploy-orthanc-1");
        const stored = await one1.request("/instances", { method: "POST", body: ctFile({ studyUid: newUid(), seriesUid: newUid(), sopUid: newUid(), patientId: "REDEPLOY", patientName: "KEPT^DATA", studyDescription: "kept", accessionNumber: "A1", studyDate: "20260101", seriesNumber: 1, instanceNumber: 1, rows: 16, columns: 16 }) });
        assert.equal(stored.status, 200, stored.body.toString());
        await one1.stop();

        // Deployment 2 reads what the cluster kept (kubectl against the API server), generating anew otherwise.
        const kept = kubectlKeptSecrets({ kubeconfig: api.kubeconfigPath }, kubectl);
        const keptFile = join(work, "kept-secrets.json");
        writeFileSync(keptFile, JSON.stringify({ [`${NAMESPACE}/${CREDENTIALS}`]: await kept.read(NAMESPACE, CREDENTIALS) }));
        const [second, withoutKept] = await Promise.all([
            planStack("dev", {}, { keptSecretsFile: keptFile, generation: 2 }),
            planStack("dev", {}, { generation: 2 }),
        ]);
        assert.equal(second.code, 0, second.stderr);
        assert.equal(withoutKept.code, 0, withoutKept.stderr);

        const conninfo = `host=127.0.0.1 port=${postgres.port} dbname=orthanc user=orthanc sslmode=require`;
        const refused = await psqlClient(conninfo, "SELECT 1", { PGPASSWORD: orthancDatabasePassword(withoutKept) });
        assert.notEqual(refused.code, 0, "the control: a newly generated password is refused");
        assert.match(refused.output, /password authentication failed/);

        const two = await orthancWith(orthancDatabasePassword(second), "pod-2", "redeploy-orthanc-2");
        assert.equal(await countInstances(two), 1, "deployment 1's study, through deployment 2's Orthanc");
        const patients = JSON.parse((await two.request("/patients?expand")).body.toString());
        assert.equal(patients[0].MainDicomTags.PatientID, "REDEPLOY");
        await two.stop();
    });
});
