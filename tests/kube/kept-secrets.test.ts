import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { KEPT_SECRETS_ENV, keptSecretsOf, kubectlKeptSecrets } from "../../components/kube/kept-secrets";

describe("kept Secrets: where a deployment reads them", () => {
    const saved = process.env[KEPT_SECRETS_ENV];
    afterEach(() => {
        if (saved === undefined) delete process.env[KEPT_SECRETS_ENV];
        else process.env[KEPT_SECRETS_ENV] = saved;
    });

    it("`none` is a first deployment: nothing kept, the cluster never asked", async () => {
        process.env[KEPT_SECRETS_ENV] = "none";
        assert.equal(await keptSecretsOf({ context: "no-such-context" }).read("pacstack", "pacstack-postgresql-credentials"), undefined);
    });

    it("a file stands for the cluster's kept Secrets", async () => {
        const file = join(mkdtempSync(join(tmpdir(), "pacstack-kept-")), "kept.json");
        writeFileSync(file, JSON.stringify({ "pacstack/pacstack-postgresql-credentials": { password: "kept" } }));
        process.env[KEPT_SECRETS_ENV] = file;
        const kept = keptSecretsOf({});
        assert.deepEqual(await kept.read("pacstack", "pacstack-postgresql-credentials"), { password: "kept" });
        assert.equal(await kept.read("pacstack", "other"), undefined);
    });

    it("without the variable, kubectl reads the cluster, and its failure stops the deployment with the Secret's name", async () => {
        delete process.env[KEPT_SECRETS_ENV];
        const missing = kubectlKeptSecrets({ context: "x" }, "/nonexistent/kubectl");
        await assert.rejects(missing.read("pacstack", "pacstack-postgresql-credentials"), /pacstack\/pacstack-postgresql-credentials.*README: Redeploy onto kept data/s);
    });
});
