/**
 * Alertmanager's receivers from typed input. Every secret (an SMTP password, a webhook URL that carries a token, a
 * bearer token) goes into one Secret's keys, which the rendered configuration names as files: kube-prometheus-stack
 * mounts the Secrets listed in `alertmanager.alertmanagerSpec.secrets` at /etc/alertmanager/secrets/<name>/, and
 * Alertmanager reads `*_file` settings at start. The configuration itself holds no secret.
 */

/** Where Alertmanager's pods find a mounted Secret's keys (the operator's mount point for alertmanagerSpec.secrets). */
export const ALERTMANAGER_SECRETS_DIR = "/etc/alertmanager/secrets";

export interface EmailReceiver {
    /** Addresses the alerts go to. */
    to: string[];
    from: string;
    /** SMTP server as host:port (587: STARTTLS, which is required). */
    smarthost: string;
    /** SMTP user; with it a password is required. @default none (no SMTP authentication) */
    username?: string;
}

export interface WebhookReceiver {
    /** The URL is secret when it carries a token (chat services' incoming webhooks); it is then only in the Secret. */
    urlIsSecret?: boolean;
    /** Send the bearer token (a secret) in the Authorization header. @default false */
    bearerToken?: boolean;
}

/** One receiver; its secret values (typed S: a string or a secret Output) stay beside the configuration. */
export interface ReceiverInput<S> {
    /** Lowercase name, unique: the route and the Secret's keys are named after it. */
    name: string;
    email?: EmailReceiver & { password?: S };
    webhook?: WebhookReceiver & { url: S | string; token?: S };
}

export interface AlertmanagerInput<S> {
    receivers: ReceiverInput<S>[];
    /** The Secret (in Alertmanager's namespace) that holds the receivers' secrets. */
    secretName: string;
    /** How long alerts are grouped before the first notification, and how often a firing one is repeated. */
    groupWait?: string;
    repeatInterval?: string;
}

export interface AlertmanagerOutput<S> {
    /** Alertmanager's configuration (the chart's `alertmanager.config`): no secret in it. */
    config: Record<string, unknown>;
    /** The Secret's data: key → secret value. Empty when no receiver needs one. */
    secretData: Record<string, S>;
    /** Secrets Alertmanager must mount (`alertmanager.alertmanagerSpec.secrets`). */
    mountSecrets: string[];
}

const NAME = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const HOST_PORT = /^[A-Za-z0-9.-]+:[0-9]{1,5}$/;
const ADDRESS = /^[^\s@<>"]+@[^\s@<>"]+$/;

/** Checks the receivers and renders the configuration with every secret as a file of `secretName`. */
export function renderAlertmanagerConfig<S>(input: AlertmanagerInput<S>): AlertmanagerOutput<S> {
    const problems: string[] = [];
    const seen = new Set<string>();
    for (const r of input.receivers) {
        if (!NAME.test(r.name) || r.name === "none") problems.push(`receiver "${r.name}": the name must be a lowercase DNS label other than "none"`);
        if (seen.has(r.name)) problems.push(`receiver "${r.name}" is given twice`);
        seen.add(r.name);
        if (!r.email && !r.webhook) problems.push(`receiver "${r.name}": needs email or webhook`);
        if (r.email) {
            if (r.email.to.length === 0 || !r.email.to.every((a) => ADDRESS.test(a))) problems.push(`receiver "${r.name}": email.to must list e-mail addresses`);
            if (!ADDRESS.test(r.email.from)) problems.push(`receiver "${r.name}": email.from "${r.email.from}" is not an e-mail address`);
            if (!HOST_PORT.test(r.email.smarthost)) problems.push(`receiver "${r.name}": email.smarthost "${r.email.smarthost}" must be host:port`);
            if (r.email.username !== undefined && r.email.password === undefined) problems.push(`receiver "${r.name}": email.username needs email.password (a secret)`);
        }
        if (r.webhook && !r.webhook.urlIsSecret && !/^https:\/\//.test(String(r.webhook.url))) {
            problems.push(`receiver "${r.name}": webhook.url must be https:// (or mark it urlIsSecret)`);
        }
        if (r.webhook?.bearerToken && r.webhook.token === undefined) problems.push(`receiver "${r.name}": webhook.bearerToken needs webhook.token (a secret)`);
    }
    if (problems.length > 0) throw new Error(`Alertmanager receivers:\n  ${problems.join("\n  ")}`);

    const file = (key: string) => `${ALERTMANAGER_SECRETS_DIR}/${input.secretName}/${key}`;
    const secretData: Record<string, S> = {};
    const receivers = [...input.receivers]
        .sort((a, b) => a.name.localeCompare(b.name))
        .map((r) => {
            const out: Record<string, unknown> = { name: r.name };
            if (r.email) {
                const auth = r.email.username !== undefined && r.email.password !== undefined;
                if (auth) secretData[`${r.name}-smtp-password`] = r.email.password as S;
                out.email_configs = r.email.to.map((to) => ({
                    to,
                    from: r.email!.from,
                    smarthost: r.email!.smarthost,
                    require_tls: true,
                    send_resolved: true,
                    ...(auth ? { auth_username: r.email!.username, auth_password_file: file(`${r.name}-smtp-password`) } : {}),
                }));
            }
            if (r.webhook) {
                const hook: Record<string, unknown> = { send_resolved: true };
                if (r.webhook.urlIsSecret) {
                    secretData[`${r.name}-webhook-url`] = r.webhook.url as S;
                    hook.url_file = file(`${r.name}-webhook-url`);
                } else {
                    hook.url = r.webhook.url;
                }
                if (r.webhook.bearerToken) {
                    secretData[`${r.name}-webhook-token`] = r.webhook.token as S;
                    hook.http_config = { authorization: { type: "Bearer", credentials_file: file(`${r.name}-webhook-token`) } };
                }
                out.webhook_configs = [hook];
            }
            return out;
        });
    // Without receivers every alert still shows in Alertmanager's and Grafana's lists; nothing is sent.
    const names = receivers.map((r) => r.name as string);
    const config = {
        route: {
            receiver: "none",
            group_by: ["alertname", "namespace"],
            group_wait: input.groupWait ?? "30s",
            group_interval: "5m",
            repeat_interval: input.repeatInterval ?? "4h",
            routes: names.map((receiver) => ({ receiver, matchers: ['alertname=~"Pacstack.*"'], continue: true })),
        },
        // A critical alert silences the warning of the same volume (80 % below 90 %) and the same target.
        inhibit_rules: [{ source_matchers: ['severity="critical"'], target_matchers: ['severity="warning"'], equal: ["namespace", "persistentvolumeclaim", "instance"] }],
        receivers: [{ name: "none" }, ...receivers],
    };
    return { config, secretData, mountSecrets: Object.keys(secretData).length > 0 ? [input.secretName] : [] };
}
