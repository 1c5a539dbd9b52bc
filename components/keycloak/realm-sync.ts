/**
 * Keeps the realm in Keycloak equal to the rendered document, on every `pulumi up` that changes it. A realm import
 * at start does nothing once the realm exists, and keycloak-config-cli is not published on Maven Central (so the
 * tests could not run the tool a Job would run): pacstack uses Keycloak's admin REST API from this small program,
 * run by a Job in a Node image, and by the tests with the same Node against the real Keycloak.
 *
 * What it does: a missing realm is created from the whole document. An existing realm is updated, never re-created:
 * realm settings (password policy, brute-force detection, ...), each client (by clientId, keeping its internal id)
 * with exactly the rendered protocol mappers, the groups (created when missing, never removed), and the service
 * accounts' group memberships. People (users) are never created, changed or removed.
 */

export interface RealmSyncOptions {
    /** Keycloak's base URL including its relative path, e.g. http://pacstack-keycloak-http/auth */
    keycloakUrl: string;
    /** A master-realm client with the admin role (Keycloak's bootstrap admin client) and its secret. */
    clientId: string;
    clientSecret: string;
    /** The rendered realm document (renderRealm). */
    realm: Record<string, any>;
    /** Client secrets by clientId, added to the clients of the document. */
    clientSecrets: Record<string, string>;
    /** How long to wait for Keycloak to answer at first. */
    waitSeconds: number;
}

/** What a run did, one line each (logged by the Job). */
export type RealmSyncReport = string[];

/**
 * The sync itself. Self-contained (no imports, no outer names): renderRealmSyncScript ships its source text as the
 * Job's program, so what the tests run is exactly what the Job runs.
 */
export async function syncRealm(options: RealmSyncOptions, log: (line: string) => void): Promise<RealmSyncReport> {
    const report: string[] = [];
    const note = (line: string) => {
        report.push(line);
        log(line);
    };
    const base = options.keycloakUrl.replace(/\/$/, "");
    const realmName: string = options.realm.realm;
    const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

    async function token(): Promise<string> {
        const deadline = Date.now() + options.waitSeconds * 1000;
        for (;;) {
            try {
                const answer = await fetch(`${base}/realms/master/protocol/openid-connect/token`, {
                    method: "POST",
                    body: new URLSearchParams({ grant_type: "client_credentials", client_id: options.clientId, client_secret: options.clientSecret }),
                    signal: AbortSignal.timeout(10_000),
                });
                const body: any = await answer.json();
                if (answer.status === 200 && body.access_token) return body.access_token;
                // Keycloak answers: wrong credentials will not get better by waiting.
                if (answer.status === 400 || answer.status === 401) throw new Error(`admin client refused: ${answer.status} ${JSON.stringify(body)}`);
            } catch (error) {
                if (error instanceof Error && error.message.startsWith("admin client refused")) throw error;
            }
            if (Date.now() > deadline) throw new Error(`Keycloak at ${base} did not answer within ${options.waitSeconds} s`);
            await sleep(3_000);
        }
    }
    const bearer = await token();

    async function api(method: string, path: string, body?: unknown): Promise<any> {
        const answer = await fetch(`${base}/admin/realms${path}`, {
            method,
            headers: { Authorization: `Bearer ${bearer}`, ...(body === undefined ? {} : { "Content-Type": "application/json" }) },
            body: body === undefined ? undefined : JSON.stringify(body),
            signal: AbortSignal.timeout(60_000),
        });
        const text = await answer.text();
        if (method === "GET" && answer.status === 404) return undefined;
        if (!answer.ok) throw new Error(`${method} ${path}: ${answer.status} ${text.slice(0, 500)}`);
        return text ? JSON.parse(text) : undefined;
    }
    const enc = encodeURIComponent;
    const r = `/${enc(realmName)}`;

    const clients: any[] = (options.realm.clients ?? []).map((client: any) =>
        options.clientSecrets[client.clientId] === undefined ? client : { ...client, secret: options.clientSecrets[client.clientId] },
    );
    if ((await api("GET", r)) === undefined) {
        await api("POST", "", { ...options.realm, clients });
        note(`created realm ${realmName} (${clients.length} clients, ${(options.realm.groups ?? []).length} groups)`);
        return report;
    }

    const { clients: _clients, groups: _groups, users: _users, id: _id, ...settings } = options.realm;
    await api("PUT", r, settings);
    note(`updated realm settings of ${realmName}`);

    for (const client of clients) {
        const { protocolMappers = [], ...fields } = client;
        const [existing] = (await api("GET", `${r}/clients?clientId=${enc(client.clientId)}`)) ?? [];
        if (!existing) {
            await api("POST", `${r}/clients`, client);
            note(`created client ${client.clientId}`);
            continue;
        }
        const id = existing.id;
        await api("PUT", `${r}/clients/${id}`, { ...fields, id });
        const current: any[] = (await api("GET", `${r}/clients/${id}/protocol-mappers/models`)) ?? [];
        for (const mapper of protocolMappers) {
            const same = current.find((m) => m.name === mapper.name);
            if (same) await api("PUT", `${r}/clients/${id}/protocol-mappers/models/${same.id}`, { ...mapper, id: same.id });
            else await api("POST", `${r}/clients/${id}/protocol-mappers/models`, mapper);
        }
        for (const extra of current.filter((m) => !protocolMappers.some((p: any) => p.name === m.name))) {
            await api("DELETE", `${r}/clients/${id}/protocol-mappers/models/${extra.id}`);
            note(`removed protocol mapper ${extra.name} of client ${client.clientId}`);
        }
        note(`updated client ${client.clientId}`);
    }

    const groupId = async (name: string): Promise<string | undefined> => {
        const found: any[] = (await api("GET", `${r}/groups?exact=true&search=${enc(name)}`)) ?? [];
        return found.find((g) => g.name === name)?.id;
    };
    for (const group of options.realm.groups ?? []) {
        if (await groupId(group.name)) continue;
        await api("POST", `${r}/groups`, group);
        note(`created group ${group.name}`);
    }

    for (const account of (options.realm.users ?? []).filter((u: any) => u.serviceAccountClientId)) {
        const [client] = (await api("GET", `${r}/clients?clientId=${enc(account.serviceAccountClientId)}`)) ?? [];
        const user = client && (await api("GET", `${r}/clients/${client.id}/service-account-user`));
        if (!user) throw new Error(`client ${account.serviceAccountClientId} has no service account`);
        for (const path of account.groups ?? []) {
            const id = await groupId(String(path).replace(/^\//, ""));
            if (!id) throw new Error(`group ${path} does not exist`);
            await api("PUT", `${r}/users/${user.id}/groups/${id}`);
        }
    }
    return report;
}

/** The Job's program (an ES module for Node 22 or newer): reads its inputs from files and environment, then syncs. */
export function renderRealmSyncScript(): string {
    return [
        'import { readFileSync } from "node:fs";',
        `const syncRealm = ${syncRealm.toString()};`,
        "const env = process.env;",
        "const json = (file) => JSON.parse(readFileSync(file, 'utf8'));",
        "syncRealm({",
        "    keycloakUrl: env.KEYCLOAK_URL,",
        "    clientId: env.SYNC_CLIENT_ID,",
        "    clientSecret: readFileSync(env.SYNC_CLIENT_SECRET_FILE, 'utf8').trim(),",
        "    realm: json(env.REALM_FILE),",
        "    clientSecrets: json(env.CLIENT_SECRETS_FILE),",
        "    waitSeconds: Number(env.WAIT_SECONDS ?? 600),",
        "}, (line) => console.log(line)).then(",
        "    () => console.log('realm in sync'),",
        "    (error) => { console.error(`realm sync failed: ${error.message}`); process.exit(1); },",
        ");",
        "",
    ].join("\n");
}
