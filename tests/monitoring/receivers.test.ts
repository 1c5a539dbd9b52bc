import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ALERTMANAGER_SECRETS_DIR, AlertmanagerInput, renderAlertmanagerConfig } from "../../components/monitoring/rules/receivers";
import { pinnedTools } from "../harness/kube/tools";
import { runTool } from "../harness/real/tools";

const SECRETS = { smtp: "smtp-Secret-0f3a", hook: "https://chat.example.org/hooks/T0KEN-9c1e", token: "bearer-Secret-77d2" };

const INPUT: AlertmanagerInput<string> = {
    secretName: "pacstack-alertmanager-receivers",
    receivers: [
        { name: "ops-mail", email: { to: ["pacs-ops@hospital.example.org"], from: "pacstack@hospital.example.org", smarthost: "smtp.hospital.example.org:587", username: "pacstack", password: SECRETS.smtp } },
        { name: "chat", webhook: { url: SECRETS.hook, urlIsSecret: true } },
        { name: "ticketing", webhook: { url: "https://tickets.hospital.example.org/alerts", bearerToken: true, token: SECRETS.token } },
    ],
};

/**
 * `amtool check-config` (the Alertmanager release the chart deploys) on the rendered configuration, with the
 * Secret's keys written where the rendered `*_file` settings point (moved from the pod's mount to a temp folder).
 */
async function amtoolCheck(config: Record<string, unknown>, secretData: Record<string, string>, secretName: string) {
    const { amtool } = await pinnedTools();
    const dir = mkdtempSync(join(tmpdir(), "pacstack-amtool-"));
    try {
        mkdirSync(join(dir, secretName), { recursive: true });
        for (const [key, value] of Object.entries(secretData)) writeFileSync(join(dir, secretName, key), value);
        const text = JSON.stringify(config).split(ALERTMANAGER_SECRETS_DIR).join(dir);
        writeFileSync(join(dir, "alertmanager.yaml"), text);
        return await runTool(amtool, ["check-config", join(dir, "alertmanager.yaml")]);
    } finally {
        rmSync(dir, { recursive: true, force: true });
    }
}

describe("monitoring: Alertmanager receivers renderer", function () {
    this.timeout(30 * 60_000);

    it("keeps every secret out of the configuration: each is a key of the receivers' Secret, named as a file", function () {
        const out = renderAlertmanagerConfig(INPUT);
        const text = JSON.stringify(out.config);
        for (const secret of Object.values(SECRETS)) assert.ok(!text.includes(secret), `${secret} in the configuration`);
        assert.deepEqual(out.secretData, { "chat-webhook-url": SECRETS.hook, "ops-mail-smtp-password": SECRETS.smtp, "ticketing-webhook-token": SECRETS.token });
        assert.deepEqual(out.mountSecrets, ["pacstack-alertmanager-receivers"]);
        const receivers = out.config.receivers as Record<string, any>[];
        assert.deepEqual(receivers.map((r) => r.name), ["none", "chat", "ops-mail", "ticketing"]);
        assert.equal(receivers[1].webhook_configs[0].url_file, `${ALERTMANAGER_SECRETS_DIR}/pacstack-alertmanager-receivers/chat-webhook-url`);
        assert.equal(receivers[2].email_configs[0].auth_password_file, `${ALERTMANAGER_SECRETS_DIR}/pacstack-alertmanager-receivers/ops-mail-smtp-password`);
        assert.equal(receivers[2].email_configs[0].require_tls, true);
        assert.equal(receivers[3].webhook_configs[0].http_config.authorization.credentials_file, `${ALERTMANAGER_SECRETS_DIR}/pacstack-alertmanager-receivers/ticketing-webhook-token`);
        assert.deepEqual((out.config.route as any).routes.map((r: any) => r.receiver), ["chat", "ops-mail", "ticketing"]);
    });

    it("is a configuration the pinned Alertmanager's amtool accepts, with and without receivers", async function () {
        const out = renderAlertmanagerConfig(INPUT);
        const result = await amtoolCheck(out.config, out.secretData, INPUT.secretName);
        assert.equal(result.code, 0, result.output);
        assert.match(result.output, /Found:[\s\S]*- 4 receivers/);
        const none = renderAlertmanagerConfig({ receivers: [], secretName: "unused" });
        assert.deepEqual(none.mountSecrets, []);
        const empty = await amtoolCheck(none.config, {}, "unused");
        assert.equal(empty.code, 0, empty.output);
    });

    it("amtool can fail: a configuration naming a receiver that does not exist is refused", async function () {
        const out = renderAlertmanagerConfig(INPUT);
        const broken = { ...out.config, route: { ...(out.config.route as object), receiver: "nobody" } };
        const result = await amtoolCheck(broken, out.secretData, INPUT.secretName);
        assert.notEqual(result.code, 0, result.output);
        assert.match(result.output, /undefined receiver "nobody"/);
    });

    it("refuses bad receivers with one message naming each", function () {
        assert.throws(
            () =>
                renderAlertmanagerConfig({
                    secretName: "s",
                    receivers: [
                        { name: "Ops", email: { to: ["not an address"], from: "x@y", smarthost: "smtp" } },
                        { name: "hook", webhook: { url: "http://plain.example.org" } },
                        { name: "hook", webhook: { url: "https://a.example.org", bearerToken: true } },
                        { name: "mail", email: { to: ["a@b"], from: "c@d", smarthost: "smtp:587", username: "u" } },
                        { name: "none" },
                    ],
                }),
            (e: Error) =>
                [
                    /receiver "Ops": the name must be a lowercase DNS label/,
                    /receiver "Ops": email.to must list e-mail addresses/,
                    /receiver "Ops": email.smarthost "smtp" must be host:port/,
                    /receiver "hook": webhook.url must be https:\/\//,
                    /receiver "hook" is given twice/,
                    /receiver "hook": webhook.bearerToken needs webhook.token/,
                    /receiver "mail": email.username needs email.password/,
                    /receiver "none": the name must be a lowercase DNS label other than "none"/,
                    /receiver "none": needs email or webhook/,
                ].every((re) => re.test(e.message)),
        );
    });
});
