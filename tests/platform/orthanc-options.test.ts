import assert from "node:assert/strict";
import { PlanResult, one, planStack } from "../harness/plan-runner";

const configOf = (plan: PlanResult) => JSON.parse((one(plan, "kubernetes:core/v1:ConfigMap", "pacstack-orthanc-config").inputs as any).data["orthanc.json"]);
const pluginFiles = (config: { Plugins: string[] }) => config.Plugins.map((path) => path.slice(path.lastIndexOf("/") + 1));

describe("platform: Orthanc plugins and extra configuration through the whole program", function () {
    this.timeout(120000);

    it("loads Orthanc Explorer 2 and GDCM by default, with their sections, in the ConfigMap", async () => {
        const plan = await planStack("dev");
        assert.equal(plan.code, 0, plan.stderr);
        const config = configOf(plan);
        assert.deepEqual(pluginFiles(config), ["libOrthancPostgreSQLIndex.so", "libOrthancDicomWeb.so", "libOrthancExplorer2.so", "libOrthancGdcm.so"]);
        assert.equal(config.OrthancExplorer2.IsDefaultOrthancUI, true);
        assert.equal(config.Gdcm.Enable, true);
    });

    it("takes the stack's plugins and merges extraConfig last into the ConfigMap", async () => {
        const plan = await planStack("dev", { "orthanc.plugins": '["stone","gdcm"]', "orthanc.extraConfig": '{"JobsHistorySize":20,"Gdcm":{"Throttling":2}}' });
        assert.equal(plan.code, 0, plan.stderr);
        const config = configOf(plan);
        assert.deepEqual(pluginFiles(config).slice(2), ["libOrthancGdcm.so", "libStoneWebViewer.so"]);
        assert.equal(config.OrthancExplorer2, undefined);
        assert.equal(config.JobsHistorySize, 20);
        assert.equal(config.Gdcm.Throttling, 2);
        assert.equal(config.Gdcm.Enable, true);
    });

    it("refuses an extraConfig that undoes security, and a secret in it, before registering any resource", async () => {
        const plan = await planStack("dev", {
            "orthanc.extraConfig": '{"AuthenticationEnabled":false,"DicomTlsRemoteCertificateRequired":false,"OrthancPeers":{"p":{"Url":"https://x","Password":"leaked-value"}}}',
        });
        assert.equal(plan.code, 1);
        assert.match(plan.stderr, /pacstack:orthanc\.extraConfig\.AuthenticationEnabled = false: only true is allowed/);
        assert.match(plan.stderr, /pacstack:orthanc\.extraConfig\.DicomTlsRemoteCertificateRequired = false: only true is allowed/);
        assert.match(plan.stderr, /pacstack:orthanc\.extraConfig\.OrthancPeers = \{"p":\{"Url":"https:\/\/x","Password":"\[hidden\]"\}\}: pacstack sets this key/);
        assert.doesNotMatch(plan.stderr + plan.stdout, /leaked-value/);
        assert.match(plan.stderr, /^0 resources registered$/m);
    });

    it("refuses an unknown plugin before registering any resource", async () => {
        const plan = await planStack("dev", { "orthanc.plugins": '["explorer2","lua"]' });
        assert.equal(plan.code, 1);
        assert.match(plan.stderr, /pacstack:orthanc\.plugins = \["explorer2","lua"\]: unknown plugin "lua"; allowed are explorer2, gdcm/);
        assert.match(plan.stderr, /^0 resources registered$/m);
    });
});
